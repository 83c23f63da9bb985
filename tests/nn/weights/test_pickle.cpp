// The pickle VM on hand-written pickles: values, containers, memo, and the
// errors for unsupported opcodes and truncation.
#include <gtest/gtest.h>

#include "io/pickle.h"
#include "nn/weights/torch_pickle.h"
#include "weights_test_util.h"

namespace idml::weights {
namespace {

using testing::expect_error;

// A string literal with embedded NULs. Split literals after hex escapes that
// precede a hex-digit letter ("\x00" "a"), or the escape swallows it.
#define BYTES(literal) std::string(literal, sizeof(literal) - 1)

io::PyValue run(const std::string& bytes, size_t* consumed = nullptr) {
  size_t used = 0;
  auto no_storage = [](const std::string&, io::FileDType, uint64_t) -> std::shared_ptr<io::RawStorage> {
    throw Error("no storages here");
  };
  io::PyValue v = io::unpickle(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &used,
                       torch_unpickle_hooks("test.pkl", no_storage), "test.pkl");
  if (consumed) *consumed = used;
  return v;
}

TEST(Unpickle, Integers) {
  EXPECT_EQ(run(BYTES("\x80\x02J\xfe\xff\xff\xff."))->integer, -2);        // BININT
  EXPECT_EQ(run(BYTES("\x80\x02K\xff."))->integer, 255);                    // BININT1
  EXPECT_EQ(run(BYTES("\x80\x02M\x01\x01."))->integer, 257);                // BININT2
  EXPECT_EQ(run(BYTES("\x80\x02\x8a\x02\x00\xff."))->integer, -256);        // LONG1, sign-extended
  EXPECT_EQ(run(BYTES("\x80\x02\x8a\x00."))->integer, 0);                    // LONG1 of 0 bytes
  const io::PyValue big = run(BYTES("\x80\x02\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01."));
  EXPECT_EQ(big->kind, io::PyKind::BigInt);  // 2**64 does not fit
}

TEST(Unpickle, FloatIsBigEndian) {
  // 1.5 = 0x3ff8000000000000
  EXPECT_EQ(run(BYTES("\x80\x02G\x3f\xf8\x00\x00\x00\x00\x00\x00."))->real, 1.5);
}

TEST(Unpickle, DictWithMemoAndTuple) {
  // {'a': (1, True, None), 'b': <memo 1>} with BINPUT/BINGET, protocol 2 style
  const std::string p = BYTES("\x80\x02}q\x00(X\x01\x00\x00\x00" "aq\x01K\x01\x88N\x87q\x02X\x01\x00\x00\x00" "bh\x02u.");
  size_t consumed = 0;
  const io::PyValue d = run(p + "trailing", &consumed);
  EXPECT_EQ(consumed, p.size());  // stops at STOP
  ASSERT_EQ(d->kind, io::PyKind::Dict);
  ASSERT_EQ(d->entries.size(), 2u);
  const io::PyValue a = io::dict_get(d, "a");
  ASSERT_EQ(a->kind, io::PyKind::Tuple);
  ASSERT_EQ(a->items.size(), 3u);
  EXPECT_EQ(a->items[0]->integer, 1);
  EXPECT_TRUE(a->items[1]->boolean);
  EXPECT_EQ(a->items[2]->kind, io::PyKind::None);
  EXPECT_EQ(io::dict_get(d, "b"), a);  // the memo shares the object
}

TEST(Unpickle, OrderedDictByReduce) {
  // collections.OrderedDict() then SETITEMS {'k': []}
  const std::string p = BYTES("\x80\x02" "ccollections\nOrderedDict\n)R(X\x01\x00\x00\x00k]u.");
  const io::PyValue d = run(p);
  ASSERT_EQ(d->kind, io::PyKind::Dict);
  EXPECT_EQ(io::dict_get(d, "k")->kind, io::PyKind::List);
}

TEST(Unpickle, UnsupportedOpcodeIsNamedInHex) {
  // 'I' (0x49) is protocol 0's text INT
  expect_error([] { run(BYTES("\x80\x02I12\n.")); }, {"test.pkl", "unsupported pickle opcode 0x49", "'I'"});
}

TEST(Unpickle, UnsupportedGlobalIsNamed) {
  expect_error([] { run(BYTES("\x80\x02" "cos\nsystem\n.")); }, {"test.pkl", "unsupported pickle global os.system"});
}

TEST(Unpickle, TruncatedPickleIsAnError) {
  expect_error([] { run(BYTES("\x80\x02X\x10\x00\x00\x00" "abc")); }, {"test.pkl", "truncated"});
  expect_error([] { run(BYTES("\x80\x02K\x01")); }, {"test.pkl", "truncated"});  // no STOP
}

TEST(Unpickle, MalformedStackIsAnError) {
  expect_error([] { run(BYTES("\x80\x02u.")); }, {"test.pkl", "no MARK"});
  expect_error([] { run(BYTES("\x80\x02h\x05.")); }, {"test.pkl", "memo key 5"});
  expect_error([] { run(BYTES("\x80\x02.")); }, {"test.pkl", "empty stack"});
}

// Issue 13 item 5: EMPTY_LIST, DUP, APPEND put a list inside itself, a
// shared_ptr cycle that was never freed (LeakSanitizer reported it).
TEST(Unpickle, ContainerThatContainsItselfIsRefused) {
  expect_error([] { run(BYTES("\x80\x02]2a.")); }, {"test.pkl", "list that contains itself"});
  // A dict reached through the memo: d = {}; d["k"] = [d]
  expect_error([] { run(BYTES("\x80\x02}q\x00X\x01\x00\x00\x00k]h\x00" "as.")); },
               {"test.pkl", "dict that contains itself"});
  // Sharing without a loop stays fine: [x, x]
  const io::PyValue shared = run(BYTES("\x80\x02](]q\x00h\x00" "e."));
  ASSERT_EQ(shared->items.size(), 2u);
  EXPECT_EQ(shared->items[0], shared->items[1]);
}

// 200,000 nested one-element tuples (EMPTY_LIST, then TUPLE1 200,000 times):
// freeing them recursed once per level and overflowed the stack.
TEST(Unpickle, DeeplyNestedContainersAreFreedWithoutRecursion) {
  std::string bytes = BYTES("\x80\x02]");
  bytes += std::string(200000, '\x85');
  bytes += '.';
  io::PyValue v = run(bytes);
  EXPECT_EQ(v->kind, io::PyKind::Tuple);
  v.reset();  // must not crash
}

}  // namespace
}  // namespace idml::weights
