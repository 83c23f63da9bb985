// Strided gathers and element conversion of arrays as files store them.
#include "io/raw_tensor.h"

#include <algorithm>

namespace idml::io {

size_t file_dtype_size(FileDType dtype) {
  switch (dtype) {
    case FileDType::Bool: case FileDType::UInt8: case FileDType::Int8: return 1;
    case FileDType::Int16: case FileDType::Float16: case FileDType::BFloat16: return 2;
    case FileDType::Int32: case FileDType::Float32: return 4;
    case FileDType::Int64: case FileDType::Float64: return 8;
  }
  return 1;
}

const char* file_dtype_name(FileDType dtype) {
  switch (dtype) {
    case FileDType::Bool: return "BOOL";
    case FileDType::UInt8: return "U8";
    case FileDType::Int8: return "I8";
    case FileDType::Int16: return "I16";
    case FileDType::Int32: return "I32";
    case FileDType::Int64: return "I64";
    case FileDType::Float16: return "F16";
    case FileDType::BFloat16: return "BF16";
    case FileDType::Float32: return "F32";
    case FileDType::Float64: return "F64";
  }
  return "?";
}

bool file_dtype_is_float(FileDType dtype) {
  return dtype == FileDType::Float16 || dtype == FileDType::BFloat16 || dtype == FileDType::Float32 ||
         dtype == FileDType::Float64;
}

float half_to_float(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x3ffu;
  uint32_t out;
  if (exponent == 0x1f) {
    out = sign | 0x7f800000u | (mantissa << 13);  // inf / nan
  } else if (exponent != 0) {
    out = sign | ((exponent + 112) << 23) | (mantissa << 13);  // rebias 15 -> 127
  } else if (mantissa == 0) {
    out = sign;
  } else {  // subnormal half: normalise into a float
    exponent = 113;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --exponent;
    }
    out = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
  }
  float value;
  std::memcpy(&value, &out, 4);
  return value;
}

float bfloat16_to_float(uint16_t bits) {  // bfloat16 is the top half of a float
  const uint32_t out = static_cast<uint32_t>(bits) << 16;
  float value;
  std::memcpy(&value, &out, 4);
  return value;
}

namespace {

constexpr uint64_t kMaxExpandedElements = uint64_t(1) << 26;

// Calls visit(element_index) for each element of the view in row-major order,
// after checking that every index lies inside the storage.
template <typename Visit>
void for_each_element(const RawTensor& raw, const std::string& source, Visit visit) {
  const size_t ndim = raw.shape.size();
  IDML_CHECK(raw.strides.size() == ndim, source, ": ", ndim, " sizes but ", raw.strides.size(), " strides");
  IDML_CHECK(raw.storage != nullptr, source, ": tensor without storage");
  const uint64_t storage_elements = raw.storage->bytes.size / file_dtype_size(raw.dtype);
  uint64_t numel = 1, last = 0;
  for (size_t d = 0; d < ndim; ++d) {
    IDML_CHECK(raw.shape[d] >= 0 && raw.strides[d] >= 0, source, ": negative size or stride");
    numel = checked_mul(numel, static_cast<uint64_t>(raw.shape[d]), source, "element count");
  }
  if (numel == 0) return;
  IDML_CHECK(raw.offset >= 0, source, ": negative storage offset ", raw.offset);
  last = static_cast<uint64_t>(raw.offset);
  for (size_t d = 0; d < ndim; ++d) {
    const uint64_t reach = checked_mul(static_cast<uint64_t>(raw.shape[d] - 1), raw.strides[d], source, "view extent");
    IDML_CHECK(reach <= UINT64_MAX - last, source, ": view extent overflows");
    last += reach;
  }
  IDML_CHECK(last < storage_elements, source, ": view (offset ", raw.offset, ") reaches element ", last,
             " of a storage holding ", storage_elements, " elements");
  // Only zero strides (expand) make a view larger than its storage; bound it so
  // a corrupt size cannot ask for terabytes.
  IDML_CHECK(numel <= std::max<uint64_t>(storage_elements, kMaxExpandedElements), source, ": view of ", numel,
             " elements over a storage of ", storage_elements, " elements");
  std::vector<int64_t> index(ndim, 0);
  int64_t position = raw.offset;
  for (uint64_t i = 0; i < numel; ++i) {
    visit(position);
    for (size_t d = ndim; d-- > 0;) {  // odometer increment, last dim fastest
      position += raw.strides[d];
      if (++index[d] < raw.shape[d]) break;
      position -= raw.strides[d] * raw.shape[d];
      index[d] = 0;
    }
  }
}

template <typename T>
T element(const RawTensor& raw, int64_t position) {
  const uint8_t* p = raw.storage->bytes.data() + position * sizeof(T);
  uint8_t bytes[sizeof(T)];
  std::memcpy(bytes, p, sizeof(T));
  if (raw.storage->big_endian) std::reverse(bytes, bytes + sizeof(T));
  T value;
  std::memcpy(&value, bytes, sizeof(T));
  return value;
}

template <typename Out>
std::vector<Out> gather(const RawTensor& raw, const std::string& source) {
  std::vector<Out> out;
  out.reserve(raw.storage ? raw.storage->bytes.size / file_dtype_size(raw.dtype) : 0);
  for_each_element(raw, source, [&](int64_t at) {
    switch (raw.dtype) {
      case FileDType::Bool: out.push_back(static_cast<Out>(element<uint8_t>(raw, at) != 0)); break;
      case FileDType::UInt8: out.push_back(static_cast<Out>(element<uint8_t>(raw, at))); break;
      case FileDType::Int8: out.push_back(static_cast<Out>(element<int8_t>(raw, at))); break;
      case FileDType::Int16: out.push_back(static_cast<Out>(element<int16_t>(raw, at))); break;
      case FileDType::Int32: out.push_back(static_cast<Out>(element<int32_t>(raw, at))); break;
      case FileDType::Int64: out.push_back(static_cast<Out>(element<int64_t>(raw, at))); break;
      case FileDType::Float16: out.push_back(static_cast<Out>(half_to_float(element<uint16_t>(raw, at)))); break;
      case FileDType::BFloat16: out.push_back(static_cast<Out>(bfloat16_to_float(element<uint16_t>(raw, at)))); break;
      case FileDType::Float32: out.push_back(static_cast<Out>(element<float>(raw, at))); break;
      case FileDType::Float64: out.push_back(static_cast<Out>(element<double>(raw, at))); break;
    }
  });
  return out;
}

}  // namespace

std::vector<float> gather_floats(const RawTensor& raw, const std::string& source) {
  IDML_CHECK(file_dtype_is_float(raw.dtype), source, ": ", file_dtype_name(raw.dtype), " is not a float type");
  return gather<float>(raw, source);
}

std::vector<int64_t> gather_integers(const RawTensor& raw, const std::string& source) {
  IDML_CHECK(!file_dtype_is_float(raw.dtype), source, ": ", file_dtype_name(raw.dtype), " is not an integer type");
  return gather<int64_t>(raw, source);
}

std::vector<double> gather_float64(const RawTensor& raw, const std::string& source) {
  IDML_CHECK(raw.dtype == FileDType::Float64, source, ": ", file_dtype_name(raw.dtype), " is not F64");
  return gather<double>(raw, source);
}

}  // namespace idml::io
