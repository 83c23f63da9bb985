// Reading and writing NumPy .npy files (format versions 1, 2 and 3), the
// interchange format for embeddings and labels (`idml embed`, `idml metrics`).
//
// Reads: little-endian, C-order arrays of float32 / float64 (converted to
// float32) and int64 / int32 (converted to int64). Writes: float32 and int64,
// version 1, atomically (a temporary file in the same folder, then rename).
// Deliberately not supported: Fortran order, big-endian data, other dtypes,
// object arrays, .npz archives. Every error is an idml::Error naming the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace idml::npy {

// The parsed header dictionary, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (300, 16), }.
struct NpyHeader {
  std::string descr;             // dtype string, e.g. "<f4"
  bool fortran_order = false;
  std::vector<int64_t> shape;    // () for a scalar
  int64_t data_offset = 0;       // byte offset of the first element in the file

  int64_t element_count() const;
};

template <typename T>
struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<T> values;  // row-major (C order), product(shape) elements
};

// Header of `path`, checked for magic and version, not for dtype.
NpyHeader read_npy_header(const std::string& path);

// float32 or float64 arrays; float64 is rounded to float32.
NpyArray<float> read_npy_float32(const std::string& path);

// int64 or int32 arrays; int32 is widened to int64.
NpyArray<int64_t> read_npy_int64(const std::string& path);

// Write `values` (product(shape) elements, row-major) as a version-1 .npy.
void write_npy(const std::string& path, const float* values, const std::vector<int64_t>& shape);
void write_npy(const std::string& path, const int64_t* values, const std::vector<int64_t>& shape);

}  // namespace idml::npy
