// NumPy's pickle vocabulary, from numpy/core/_methods / ndarray.__reduce__ (1.x and 2.x):
//   _reconstruct(ndarray, (0,), b'b')  then BUILD with
//     (version 1, shape, dtype, is_fortran, raw data bytes)   (older files: the same without the version)
//   dtype('u1', False, True)           then BUILD with (3, '<' | '|' | '>', ...)
//   _codecs.encode('latin-1 text', 'latin1') -> bytes (protocol 2 from Python 3)
#include "io/numpy_pickle.h"

#include <map>
#include <set>

namespace idml::io {

namespace {

const std::set<std::string>& allowed_globals() {
  static const std::set<std::string> names = {
      "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct", "numpy.ndarray",
      "numpy.dtype", "_codecs.encode"};
  return names;
}

// The element types a data file holds; the key is NumPy's kind + item size.
const std::map<std::string, FileDType>& numpy_types() {
  static const std::map<std::string, FileDType> types = {
      {"u1", FileDType::UInt8}, {"i1", FileDType::Int8},    {"i2", FileDType::Int16},  {"i4", FileDType::Int32},
      {"i8", FileDType::Int64}, {"f2", FileDType::Float16}, {"f4", FileDType::Float32}, {"f8", FileDType::Float64},
      {"b1", FileDType::Bool}};
  return types;
}

// Python 3 str (UTF-8 here) of code points < 256 -> the latin-1 bytes.
std::string latin1_bytes(const std::string& utf8, const std::string& source) {
  std::string out;
  for (size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<uint8_t>(utf8[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      IDML_CHECK((c == 0xc2 || c == 0xc3) && i + 1 < utf8.size(), source,
                 ": _codecs.encode of a character outside latin-1");
      out.push_back(static_cast<char>(((c & 0x03) << 6) | (static_cast<uint8_t>(utf8[++i]) & 0x3f)));
    }
  }
  return out;
}

PyValue make_dtype(const PyValue& args, const std::string& source) {
  IDML_CHECK(!args->items.empty() && args->items[0]->kind == PyKind::String, source,
             ": numpy.dtype called without a type string");
  const std::string code = args->items[0]->text;
  IDML_CHECK(numpy_types().count(code), source, ": unsupported NumPy dtype '", code,
             "' (expected numbers: u1, i1, i2, i4, i8, f2, f4, f8, b1)");
  PyValue dtype = make_value(PyKind::Global);
  dtype->text = "numpy.dtype:" + code;
  return dtype;
}

void build_dtype(const PyValue& dtype, const PyValue& state, const std::string& source) {
  IDML_CHECK(state->kind == PyKind::Tuple && state->items.size() >= 2 && state->items[1]->kind == PyKind::String,
             source, ": malformed numpy.dtype state");
  const std::string& order = state->items[1]->text;
  IDML_CHECK(order == "<" || order == "|" || order == "=" || order == ">", source, ": numpy.dtype byte order '",
             order, "'");
  if (order == ">") dtype->boolean = true;  // big-endian: swapped on conversion
}

void build_array(const PyValue& array, const PyValue& state, const std::string& source) {
  IDML_CHECK(state->kind == PyKind::Tuple && (state->items.size() == 5 || state->items.size() == 4), source,
             ": malformed ndarray state (expected (version, shape, dtype, is_fortran, data))");
  const size_t at = state->items.size() == 5 ? 1 : 0;
  const PyValue& shape = state->items[at];
  const PyValue& dtype = state->items[at + 1];
  const PyValue& fortran = state->items[at + 2];
  const PyValue& data = state->items[at + 3];
  IDML_CHECK(shape->kind == PyKind::Tuple, source, ": ndarray shape is a ", kind_name(shape->kind));
  IDML_CHECK(dtype->kind == PyKind::Global && dtype->text.rfind("numpy.dtype:", 0) == 0, source,
             ": ndarray dtype is a ", kind_name(dtype->kind));
  IDML_CHECK(data->kind == PyKind::Bytes || data->kind == PyKind::String, source, ": ndarray data is a ",
             kind_name(data->kind), " (object arrays are not supported)");
  RawTensor& raw = array->tensor;
  raw.dtype = numpy_types().at(dtype->text.substr(std::string("numpy.dtype:").size()));
  uint64_t count = 1;
  for (const PyValue& d : shape->items) {
    IDML_CHECK(d->kind == PyKind::Int && d->integer >= 0, source, ": ndarray shape holds a ", kind_name(d->kind));
    raw.shape.push_back(d->integer);
    count = checked_mul(count, static_cast<uint64_t>(d->integer), source, "ndarray size");
  }
  const uint64_t expected = checked_mul(count, file_dtype_size(raw.dtype), source, "ndarray bytes");
  IDML_CHECK(data->text.size() == expected, source, ": ndarray of shape ", raw.shape.size(), "-d with ", count,
             " elements needs ", expected, " bytes, the pickle holds ", data->text.size());
  // Strides in elements: row-major, or column-major for Fortran-order arrays.
  const bool column_major = fortran->kind == PyKind::Bool && fortran->boolean;
  raw.strides.assign(raw.shape.size(), 1);
  int64_t stride = 1;
  for (size_t k = 0; k < raw.shape.size(); ++k) {
    const size_t d = column_major ? k : raw.shape.size() - 1 - k;
    raw.strides[d] = stride;
    stride *= std::max<int64_t>(raw.shape[d], 1);
  }
  auto bytes = std::make_shared<Bytes>(data->text.begin(), data->text.end());
  raw.storage = std::make_shared<RawStorage>();
  raw.storage->bytes = ByteSpan{bytes, 0, bytes->size()};
  raw.storage->big_endian = dtype->boolean;
  array->text = "numpy.ndarray";
}

}  // namespace

UnpickleHooks numpy_unpickle_hooks(const std::string& source) {
  UnpickleHooks hooks;
  hooks.find_class = [source](const std::string& module, const std::string& name) {
    const std::string full = module + "." + name;
    IDML_CHECK(allowed_globals().count(full), source, ": forbidden pickle global ", full,
               " (only NumPy arrays, numbers, strings, lists and dicts can be read)");
    PyValue global = make_value(PyKind::Global);
    global->text = full;
    return global;
  };
  hooks.reduce = [source](const PyValue& callable, const PyValue& args) {
    IDML_CHECK(callable->kind == PyKind::Global && args->kind == PyKind::Tuple, source, ": pickle calls a ",
               kind_name(callable->kind));
    const std::string& name = callable->text;
    if (name == "numpy.dtype") return make_dtype(args, source);
    if (name == "_codecs.encode") {
      IDML_CHECK(args->items.size() == 2 && args->items[0]->kind == PyKind::String &&
                     args->items[1]->kind == PyKind::String && args->items[1]->text == "latin1",
                 source, ": _codecs.encode other than (str, 'latin1')");
      PyValue bytes = make_value(PyKind::Bytes);
      bytes->text = latin1_bytes(args->items[0]->text, source);
      return bytes;
    }
    IDML_CHECK(name.size() > 12 && name.compare(name.size() - 12, 12, "_reconstruct") == 0 &&
                   !args->items.empty() && args->items[0]->kind == PyKind::Global &&
                   args->items[0]->text == "numpy.ndarray",
               source, ": pickle calls ", name, ", which cannot be constructed");
    PyValue array = make_value(PyKind::Tensor);
    array->text = "numpy.ndarray (no state yet)";
    return array;
  };
  hooks.build = [source](const PyValue& object, const PyValue& state) {
    if (object->kind == PyKind::Global && object->text.rfind("numpy.dtype:", 0) == 0) return build_dtype(object, state, source);
    IDML_CHECK(object->kind == PyKind::Tensor, source, ": pickle BUILD on a ", kind_name(object->kind));
    // A second BUILD would append its shape to the first one's while keeping only its own data.
    IDML_CHECK(object->text == "numpy.ndarray (no state yet)", source, ": pickle BUILDs one ndarray twice");
    build_array(object, state, source);
  };
  hooks.persistent_load = [source](const PyValue&) -> PyValue {
    throw Error(source + ": persistent ids are not allowed in a NumPy data pickle");
  };
  return hooks;
}

PyValue read_numpy_pickle(const std::string& path) {
  const std::shared_ptr<const Bytes> bytes = read_file_bytes(path);
  size_t consumed = 0;
  return unpickle(bytes->data(), bytes->size(), &consumed, numpy_unpickle_hooks(path), path);
}

}  // namespace idml::io
