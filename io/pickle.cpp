// The pickle opcode loop. Opcode values and argument encodings follow
// CPython's Lib/pickletools.py; multi-byte integers are little-endian, except
// BINFLOAT, which is a big-endian IEEE double.
#include "io/pickle.h"

#include <algorithm>
#include <iomanip>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace idml::io {

PyObject::~PyObject() {
  // Children this object alone owns are handed to the outermost destructor on
  // this thread, which frees them one at a time, so the depth never recurses.
  thread_local std::vector<PyValue>* pending = nullptr;
  std::vector<PyValue> mine;
  const bool outermost = pending == nullptr;
  if (outermost) pending = &mine;
  for (PyValue& item : items) pending->push_back(std::move(item));
  for (auto& [key, value] : entries) {
    pending->push_back(std::move(key));
    pending->push_back(std::move(value));
  }
  if (!outermost) return;
  while (!mine.empty()) {
    PyValue next = std::move(mine.back());
    mine.pop_back();
    next.reset();  // may push its own children onto `mine`
  }
  pending = nullptr;
}

PyValue make_value(PyKind kind) {
  auto value = std::make_shared<PyObject>();
  value->kind = kind;
  return value;
}

const char* kind_name(PyKind kind) {
  switch (kind) {
    case PyKind::None: return "None";
    case PyKind::Bool: return "bool";
    case PyKind::Int: return "int";
    case PyKind::BigInt: return "int (over 64 bits)";
    case PyKind::Float: return "float";
    case PyKind::String: return "str";
    case PyKind::Bytes: return "bytes";
    case PyKind::Tuple: return "tuple";
    case PyKind::List: return "list";
    case PyKind::Dict: return "dict";
    case PyKind::Global: return "class or function";
    case PyKind::Storage: return "storage";
    case PyKind::Tensor: return "tensor";
  }
  return "?";
}

PyValue dict_get(const PyValue& dict, const std::string& key) {
  if (!dict || dict->kind != PyKind::Dict) return nullptr;
  for (const auto& [k, v] : dict->entries)
    if (k->kind == PyKind::String && k->text == key) return v;
  return nullptr;
}

namespace {

class Machine {
 public:
  Machine(const uint8_t* data, size_t size, const UnpickleHooks& hooks, const std::string& source)
      : data_(data), size_(size), hooks_(hooks), source_(source) {}

  PyValue run(size_t* consumed);

 private:
  const uint8_t* take(size_t count) {
    require_bytes(pos_, count, size_, source_, "pickle argument");
    const uint8_t* p = data_ + pos_;
    pos_ += count;
    return p;
  }
  template <typename T> T take_le() { return load_le<T>(take(sizeof(T))); }
  std::string take_string(uint64_t length) {
    require_bytes(pos_, length, size_, source_, "pickle string");
    return std::string(reinterpret_cast<const char*>(take(length)), length);
  }
  std::string take_line() {  // GLOBAL's arguments are newline-terminated
    const uint8_t* end = std::find(data_ + pos_, data_ + size_, '\n');
    IDML_CHECK(end != data_ + size_, source_, ": truncated pickle (GLOBAL without newline)");
    std::string line(reinterpret_cast<const char*>(data_ + pos_), end - (data_ + pos_));
    pos_ = end - data_ + 1;
    return line;
  }
  PyValue pop() {
    IDML_CHECK(stack_.size() > mark_floor(), source_, ": malformed pickle (pop from an empty stack at byte ", pos_, ")");
    PyValue v = stack_.back();
    stack_.pop_back();
    return v;
  }
  PyValue& top() {
    IDML_CHECK(stack_.size() > mark_floor(), source_, ": malformed pickle (empty stack at byte ", pos_, ")");
    return stack_.back();
  }
  size_t mark_floor() const { return marks_.empty() ? 0 : marks_.back(); }
  std::vector<PyValue> pop_to_mark() {
    IDML_CHECK(!marks_.empty(), source_, ": malformed pickle (no MARK at byte ", pos_, ")");
    std::vector<PyValue> items(stack_.begin() + marks_.back(), stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return items;
  }
  PyValue tuple_of(std::vector<PyValue> items) {
    PyValue t = make_value(PyKind::Tuple);
    t->items = std::move(items);
    return t;
  }
  PyValue integer(int64_t v) {
    PyValue p = make_value(PyKind::Int);
    p->integer = v;
    return p;
  }
  PyValue text(PyKind kind, std::string s) {
    PyValue p = make_value(kind);
    p->text = std::move(s);
    return p;
  }
  PyValue long_from_bytes(std::string bytes);
  // Putting `value` into `container` must not close a loop: shared_ptr cycles
  // are never freed (a list appended to itself leaked), and weights never need one.
  void refuse_cycle(const PyValue& container, const PyValue& value) {
    std::vector<const PyObject*> todo{value.get()};
    std::unordered_set<const PyObject*> seen;
    while (!todo.empty()) {
      const PyObject* at = todo.back();
      todo.pop_back();
      IDML_CHECK(at != container.get(), source_, ": malformed pickle (a ", kind_name(container->kind),
                 " that contains itself, at byte ", pos_, ")");
      if (!seen.insert(at).second) continue;
      for (const PyValue& item : at->items) todo.push_back(item.get());
      for (const auto& [k, v] : at->entries) {
        todo.push_back(k.get());
        todo.push_back(v.get());
      }
    }
  }
  void set_items(const PyValue& dict, const std::vector<PyValue>& flat) {
    IDML_CHECK(dict->kind == PyKind::Dict, source_, ": malformed pickle (SETITEM on a ", kind_name(dict->kind), ")");
    IDML_CHECK(flat.size() % 2 == 0, source_, ": malformed pickle (odd SETITEMS)");
    for (size_t i = 0; i < flat.size(); i += 2) {
      refuse_cycle(dict, flat[i]);
      refuse_cycle(dict, flat[i + 1]);
      auto same_key = [&](const std::pair<PyValue, PyValue>& e) {
        const PyObject& a = *e.first;
        const PyObject& b = *flat[i];
        return a.kind == b.kind && a.text == b.text && a.integer == b.integer && a.boolean == b.boolean &&
               (a.kind == PyKind::String || a.kind == PyKind::Int || a.kind == PyKind::Bool);
      };
      auto found = std::find_if(dict->entries.begin(), dict->entries.end(), same_key);
      if (found != dict->entries.end()) found->second = flat[i + 1];
      else dict->entries.emplace_back(flat[i], flat[i + 1]);
    }
  }
  void append(const PyValue& list, std::vector<PyValue> items) {
    IDML_CHECK(list->kind == PyKind::List, source_, ": malformed pickle (APPEND to a ", kind_name(list->kind), ")");
    for (const PyValue& item : items) refuse_cycle(list, item);
    list->items.insert(list->items.end(), items.begin(), items.end());
  }
  PyValue memo_get(uint64_t key) {
    auto found = memo_.find(key);
    IDML_CHECK(found != memo_.end(), source_, ": malformed pickle (memo key ", key, " not set)");
    return found->second;
  }
  PyValue call_reduce(const PyValue& callable, const PyValue& args) {
    IDML_CHECK(args->kind == PyKind::Tuple, source_, ": malformed pickle (REDUCE arguments are a ",
               kind_name(args->kind), ")");
    PyValue out = hooks_.reduce(callable, args);
    IDML_CHECK(out != nullptr, source_, ": REDUCE produced nothing");
    return out;
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  const UnpickleHooks& hooks_;
  const std::string& source_;
  std::vector<PyValue> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, PyValue> memo_;
};

PyValue Machine::long_from_bytes(std::string bytes) {
  if (bytes.size() > 8) return text(PyKind::BigInt, std::move(bytes));
  uint64_t v = 0;  // little-endian two's complement, sign-extended from its last byte
  for (size_t i = bytes.size(); i-- > 0;) v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  if (!bytes.empty() && bytes.size() < 8 && (static_cast<uint8_t>(bytes.back()) & 0x80))
    v |= ~uint64_t(0) << (8 * bytes.size());
  return integer(static_cast<int64_t>(v));
}

PyValue Machine::run(size_t* consumed) {
  for (;;) {
    const size_t at = pos_;
    const uint8_t op = *take(1);
    switch (op) {
      case 0x80: take(1); break;                        // PROTO
      case 0x95: take(8); break;                        // FRAME: framing is only a read-ahead hint
      case 0x2e: {                                      // STOP
        PyValue result = pop();
        IDML_CHECK(stack_.empty() && marks_.empty(), source_, ": malformed pickle (values left on the stack at STOP)");
        *consumed = pos_;
        return result;
      }
      case 0x28: marks_.push_back(stack_.size()); break;  // MARK
      case 0x30: pop(); break;                             // POP
      case 0x31: pop_to_mark(); break;                     // POP_MARK
      case 0x32: { PyValue v = top(); stack_.push_back(v); break; }  // DUP
      case 0x4e: stack_.push_back(make_value(PyKind::None)); break;  // NONE
      case 0x88: case 0x89: {                                        // NEWTRUE, NEWFALSE
        PyValue b = make_value(PyKind::Bool);
        b->boolean = op == 0x88;
        stack_.push_back(b);
        break;
      }
      case 0x4a: stack_.push_back(integer(take_le<int32_t>())); break;   // BININT
      case 0x4b: stack_.push_back(integer(take_le<uint8_t>())); break;   // BININT1
      case 0x4d: stack_.push_back(integer(take_le<uint16_t>())); break;  // BININT2
      case 0x8a: stack_.push_back(long_from_bytes(take_string(take_le<uint8_t>()))); break;   // LONG1
      case 0x8b: {                                                                            // LONG4
        const int32_t n = take_le<int32_t>();
        IDML_CHECK(n >= 0, source_, ": malformed pickle (negative LONG4 length)");
        stack_.push_back(long_from_bytes(take_string(static_cast<uint64_t>(n))));
        break;
      }
      case 0x47: {  // BINFLOAT, big-endian
        uint8_t bytes[8];
        const uint8_t* big_endian = take(8);
        std::reverse_copy(big_endian, big_endian + 8, bytes);
        PyValue f = make_value(PyKind::Float);
        std::memcpy(&f->real, bytes, 8);
        stack_.push_back(f);
        break;
      }
      case 0x58: case 0x54: stack_.push_back(text(PyKind::String, take_string(take_le<uint32_t>()))); break;  // BINUNICODE, BINSTRING
      case 0x8c: case 0x55: stack_.push_back(text(PyKind::String, take_string(take_le<uint8_t>()))); break;   // SHORT_BINUNICODE, SHORT_BINSTRING
      case 0x8d: stack_.push_back(text(PyKind::String, take_string(take_le<uint64_t>()))); break;  // BINUNICODE8
      case 0x42: stack_.push_back(text(PyKind::Bytes, take_string(take_le<uint32_t>()))); break;   // BINBYTES
      case 0x43: stack_.push_back(text(PyKind::Bytes, take_string(take_le<uint8_t>()))); break;    // SHORT_BINBYTES
      case 0x8e: stack_.push_back(text(PyKind::Bytes, take_string(take_le<uint64_t>()))); break;   // BINBYTES8
      case 0x29: stack_.push_back(make_value(PyKind::Tuple)); break;  // EMPTY_TUPLE
      case 0x74: stack_.push_back(tuple_of(pop_to_mark())); break;    // TUPLE
      case 0x85: case 0x86: case 0x87: {                              // TUPLE1..3
        const size_t n = op - 0x84u;
        std::vector<PyValue> items(n);
        for (size_t i = n; i-- > 0;) items[i] = pop();
        stack_.push_back(tuple_of(std::move(items)));
        break;
      }
      case 0x5d: stack_.push_back(make_value(PyKind::List)); break;  // EMPTY_LIST
      case 0x6c: {                                                   // LIST
        PyValue list = make_value(PyKind::List);
        list->items = pop_to_mark();
        stack_.push_back(list);
        break;
      }
      case 0x61: { PyValue v = pop(); append(top(), {v}); break; }  // APPEND
      case 0x65: { std::vector<PyValue> items = pop_to_mark(); append(top(), std::move(items)); break; }  // APPENDS
      case 0x7d: stack_.push_back(make_value(PyKind::Dict)); break;  // EMPTY_DICT
      case 0x64: {                                                   // DICT
        PyValue dict = make_value(PyKind::Dict);
        set_items(dict, pop_to_mark());
        stack_.push_back(dict);
        break;
      }
      case 0x73: { PyValue v = pop(); PyValue k = pop(); set_items(top(), {k, v}); break; }  // SETITEM
      case 0x75: { std::vector<PyValue> flat = pop_to_mark(); set_items(top(), flat); break; }  // SETITEMS
      case 0x71: memo_[take_le<uint8_t>()] = top(); break;   // BINPUT
      case 0x72: memo_[take_le<uint32_t>()] = top(); break;  // LONG_BINPUT
      case 0x94: { PyValue v = top(); memo_[memo_.size()] = v; break; }  // MEMOIZE
      case 0x68: stack_.push_back(memo_get(take_le<uint8_t>())); break;   // BINGET
      case 0x6a: stack_.push_back(memo_get(take_le<uint32_t>())); break;  // LONG_BINGET
      case 0x63: {                                                         // GLOBAL
        const std::string module = take_line();
        const std::string name = take_line();
        stack_.push_back(hooks_.find_class(module, name));
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        PyValue name = pop();
        PyValue module = pop();
        IDML_CHECK(module->kind == PyKind::String && name->kind == PyKind::String, source_,
                   ": malformed pickle (STACK_GLOBAL needs two strings)");
        stack_.push_back(hooks_.find_class(module->text, name->text));
        break;
      }
      case 0x52: { PyValue args = pop(); PyValue callable = pop(); stack_.push_back(call_reduce(callable, args)); break; }  // REDUCE
      case 0x81: { PyValue args = pop(); PyValue cls = pop(); stack_.push_back(call_reduce(cls, args)); break; }  // NEWOBJ
      case 0x62: { PyValue state = pop(); hooks_.build(top(), state); break; }  // BUILD
      case 0x51: stack_.push_back(hooks_.persistent_load(pop())); break;       // BINPERSID
      default: {
        std::ostringstream hex;
        hex << "0x" << std::hex << std::setw(2) << std::setfill('0') << int(op);
        const char printable = (op >= 0x20 && op < 0x7f) ? static_cast<char>(op) : '?';
        throw Error(detail::concat(source_, ": unsupported pickle opcode ", hex.str(), " ('", printable,
                                   "') at byte ", at));
      }
    }
  }
}

}  // namespace

PyValue unpickle(const uint8_t* data, size_t size, size_t* consumed, const UnpickleHooks& hooks,
                 const std::string& source) {
  Machine machine(data, size, hooks, source);
  return machine.run(consumed);
}

}  // namespace idml::io
