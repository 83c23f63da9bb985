// A Python pickle virtual machine for the subset torch.save writes: protocol 2
// (and the protocol-4 framing opcodes), building a tree of PyValue. It knows no
// Python classes: GLOBAL, REDUCE, NEWOBJ, BUILD and persistent ids go through
// hooks, so the caller decides which globals exist: torch.save's vocabulary
// (nn/weights/torch_pickle.*) or NumPy's (io/numpy_pickle.*).
// Not supported: the text opcodes of protocol 0/1 (INT, LONG, STRING, GET,
// PUT, ...), EXT*, INST/OBJ, sets, out-of-band buffers: each is an error naming
// the opcode in hex and the file.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "io/raw_tensor.h"

namespace idml::io {

struct PyObject;
using PyValue = std::shared_ptr<PyObject>;

// Storage and Tensor are what the torch hooks build from persistent ids and
// _rebuild_tensor_v2; Global is an unresolved "module.name".
enum class PyKind { None, Bool, Int, BigInt, Float, String, Bytes, Tuple, List, Dict, Global, Storage, Tensor };

struct PyObject {
  PyKind kind = PyKind::None;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0.0;
  std::string text;  // String, Bytes, Global ("module.name"), BigInt (little-endian two's complement)
  std::vector<PyValue> items;                         // Tuple, List
  std::vector<std::pair<PyValue, PyValue>> entries;  // Dict, in insertion order
  // Storage: the storage's element type and bytes (filled late in the legacy format).
  FileDType storage_dtype = FileDType::Float32;
  std::shared_ptr<RawStorage> storage;
  RawTensor tensor;  // Tensor
  ~PyObject();       // iterative: a hostile pickle nested 60,000 deep must not overflow the stack
};

PyValue make_value(PyKind kind);
const char* kind_name(PyKind kind);  // "dict", "int", ... for error messages
// The value under a string key of a Dict, or null.
PyValue dict_get(const PyValue& dict, const std::string& key);

struct UnpickleHooks {
  std::function<PyValue(const std::string& module, const std::string& name)> find_class;
  std::function<PyValue(const PyValue& callable, const PyValue& args)> reduce;  // REDUCE and NEWOBJ
  std::function<void(const PyValue& object, const PyValue& state)> build;       // BUILD
  std::function<PyValue(const PyValue& persistent_id)> persistent_load;         // BINPERSID
};

// Runs the pickle in data[0, size) up to STOP; `*consumed` gets the bytes read
// (the legacy torch format puts several pickles back to back). Throws naming
// `source` on truncation, an unsupported opcode, or a malformed stack.
PyValue unpickle(const uint8_t* data, size_t size, size_t* consumed, const UnpickleHooks& hooks,
                 const std::string& source);

}  // namespace idml::io
