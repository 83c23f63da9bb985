// RawTensor: an array as a file stores it (a PyTorch tensor, a NumPy array):
// the file's element type, shape, strides and element offset into a storage
// that several arrays may share (PyTorch views), and the gathers that read its
// elements in row-major order. Big-endian storages (a PyTorch `byteorder` of
// "big") are byte-swapped on the way. It knows no engine Tensor: turning one
// into a Tensor is nn/weights/to_tensor.h's job.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/bytes.h"

namespace idml::io {

enum class FileDType { Bool, UInt8, Int8, Int16, Int32, Int64, Float16, BFloat16, Float32, Float64 };

size_t file_dtype_size(FileDType dtype);
const char* file_dtype_name(FileDType dtype);  // safetensors spelling: "F32", "BF16", "I64", "BOOL"
bool file_dtype_is_float(FileDType dtype);

struct RawStorage {
  ByteSpan bytes;
  bool big_endian = false;
};

struct RawTensor {
  FileDType dtype = FileDType::Float32;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;  // in elements, one per dim
  int64_t offset = 0;            // in elements, from the start of the storage
  std::shared_ptr<RawStorage> storage;
};

// The elements in row-major order as float (float types) or int64_t (integer
// types); throws naming `source` (file and tensor name) when the view reaches
// outside its storage or has negative strides.
std::vector<float> gather_floats(const RawTensor& raw, const std::string& source);
std::vector<int64_t> gather_integers(const RawTensor& raw, const std::string& source);
// float64 elements exactly (the F64 type only).
std::vector<double> gather_float64(const RawTensor& raw, const std::string& source);

// IEEE half and bfloat16 bit patterns to float.
float half_to_float(uint16_t bits);
float bfloat16_to_float(uint16_t bits);

}  // namespace idml::io
