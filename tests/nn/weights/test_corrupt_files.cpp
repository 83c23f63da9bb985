// Damaged files: every truncation of a golden file, flipped bytes, a wrong
// magic number, a failing CRC. Each must be an idml::Error naming the file,
// never a crash, another exception type, or a partial result.
#include <gtest/gtest.h>

#include <random>

#include "nn/weights/load_weights.h"
#include "nn/weights/pth.h"
#include "nn/weights/safetensors.h"
#include "weights_test_util.h"

namespace idml::weights {
namespace {

using testing::expect_error;
using testing::golden;
using testing::read_bytes;
using testing::scratch;
using testing::write_bytes;

// Loads `bytes` as the file `path` (in memory); returns "" on success or the
// idml::Error message.
std::string try_load(const std::vector<uint8_t>& bytes, const std::string& path) {
  try {
    load_weights(std::make_shared<const io::Bytes>(bytes), path);
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

TEST(CorruptFiles, EveryTruncationIsAnErrorNamingTheFile) {
  for (const char* file : {"views_zip.pth", "views_legacy.pth", "views_deflated.pth", "views_protocol4.pth",
                           "tiny_resnet_zip.pth", "tiny_resnet_legacy.pth", "dtypes.safetensors"}) {
    const std::vector<uint8_t> bytes = read_bytes(golden(file));
    ASSERT_FALSE(bytes.empty()) << file;
    const std::string path = scratch(std::string("cut_") + file);
    for (size_t length = 0; length < bytes.size(); ++length) {
      const std::string message = try_load({bytes.begin(), bytes.begin() + length}, path);
      ASSERT_NE(message, "") << file << " cut to " << length << " bytes loaded without error";
      ASSERT_NE(message.find(path), std::string::npos) << message;
    }
  }
}

TEST(CorruptFiles, FlippedBytesNeverCrash) {
  // Random damage may still parse (a flipped tensor value), but anything else
  // must be an idml::Error: try_load lets other exceptions fail the test.
  std::mt19937 random(42);
  for (const char* file : {"views_zip.pth", "views_legacy.pth", "views_deflated.pth", "views_protocol4.pth",
                           "tiny_resnet_legacy.pth", "dtypes.safetensors"}) {
    const std::vector<uint8_t> good = read_bytes(golden(file));
    const std::string path = scratch(std::string("flip_") + file);
    int errors = 0;
    for (int trial = 0; trial < 1000; ++trial) {
      std::vector<uint8_t> bytes = good;
      for (int k = 0; k < 3; ++k) bytes[random() % bytes.size()] ^= static_cast<uint8_t>(1 + random() % 255);
      if (!try_load(bytes, path).empty()) ++errors;
    }
    EXPECT_GT(errors, 0) << file;
  }
}

TEST(CorruptFiles, ZipCrcMismatchIsDetected) {
  std::vector<uint8_t> bytes = read_bytes(golden("views_zip.pth"));
  // The 'base' storage (0.5 * i - 1 as float32) holds -1.0f = 00 00 80 bf; damage its first value.
  const std::vector<uint8_t> minus_one = {0x00, 0x00, 0x80, 0xbf};
  auto at = std::search(bytes.begin(), bytes.end(), minus_one.begin(), minus_one.end());
  ASSERT_NE(at, bytes.end());
  at[2] = 0x40;  // -1.0 -> -0.75
  const std::string path = scratch("crc.pth");
  const std::string message = try_load(bytes, path);
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("CRC-32 mismatch"), std::string::npos) << message;
}

TEST(CorruptFiles, WrongLegacyMagicNumber) {
  std::vector<uint8_t> bytes = read_bytes(golden("views_legacy.pth"));
  // The file opens with PROTO 2, LONG1 10 <magic bytes>: change one magic byte.
  ASSERT_EQ(bytes[2], 0x8a);
  bytes[4] ^= 0x01;
  const std::string path = scratch("magic.pth");
  write_bytes(path, bytes);
  expect_error([&] { load_pth(path); }, {path, "wrong magic number"});
}

TEST(CorruptFiles, NeitherFormat) {
  const std::string path = scratch("text.pth");
  write_bytes(path, {'h', 'e', 'l', 'l', 'o'});
  expect_error([&] { load_weights(path); }, {path, "neither a safetensors file nor a PyTorch .pth file"});
  expect_error([&] { load_pth(path); }, {path, "not a PyTorch file"});
}

TEST(CorruptFiles, PthWithUnsupportedOpcode) {
  // A legacy-style file whose first pickle uses protocol 0's INT opcode.
  const std::string path = scratch("opcode.pth");
  write_bytes(path, {0x80, 0x02, 'I', '1', '\n', '.'});
  expect_error([&] { load_pth(path); }, {path, "unsupported pickle opcode 0x49"});
}

}  // namespace
}  // namespace idml::weights
