// Row selection, column gathers and their scatter-add backwards, one-hot.
// Index values are validated by the op front-ends.
#include <cstring>

#include "engine/cpu/cpu_backend.h"

namespace idml::cpu {

void CpuBackend::index_select_rows(DType dtype, const void* x, int64_t, const int64_t* indices, int64_t count,
                                   int64_t row_size, void* out) {
  const size_t row_bytes = static_cast<size_t>(row_size) * dtype_size(dtype);
#pragma omp parallel for if (count * row_size > kParallelGrain)
  for (int64_t i = 0; i < count; ++i)
    std::memcpy(static_cast<char*>(out) + i * row_bytes, static_cast<const char*>(x) + indices[i] * row_bytes,
                row_bytes);
}

void CpuBackend::index_add_rows(DType dtype, const void* src_ptr, const int64_t* indices, int64_t count,
                                int64_t row_size, void* out_ptr, int64_t) {
  dispatch_float(dtype, "index_select backward", [&](auto zero) {
    using T = decltype(zero);
    const T* src = static_cast<const T*>(src_ptr);
    T* out = static_cast<T*>(out_ptr);
    // Rows may repeat, so parallelise within a row only.
    for (int64_t i = 0; i < count; ++i) {
      T* dst = out + indices[i] * row_size;
      const T* s = src + i * row_size;
#pragma omp parallel for if (row_size > kParallelGrain)
      for (int64_t j = 0; j < row_size; ++j) dst[j] += s[j];
    }
  });
}

void CpuBackend::gather_cols(DType dtype, const void* x_ptr, int64_t rows, int64_t cols, const int64_t* indices,
                             int64_t k, void* out_ptr) {
  dispatch_float(dtype, "gather", [&](auto zero) {
    using T = decltype(zero);
    const T* x = static_cast<const T*>(x_ptr);
    T* out = static_cast<T*>(out_ptr);
#pragma omp parallel for if (rows * k > kParallelGrain)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < k; ++j) out[r * k + j] = x[r * cols + indices[r * k + j]];
  });
}

void CpuBackend::scatter_add_cols(DType dtype, const void* dy_ptr, int64_t rows, int64_t cols,
                                  const int64_t* indices, int64_t k, void* dx_ptr) {
  dispatch_float(dtype, "gather backward", [&](auto zero) {
    using T = decltype(zero);
    const T* dy = static_cast<const T*>(dy_ptr);
    T* dx = static_cast<T*>(dx_ptr);
#pragma omp parallel for if (rows * k > kParallelGrain)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < k; ++j) dx[r * cols + indices[r * k + j]] += dy[r * k + j];
  });
}

void CpuBackend::one_hot(const int64_t* labels, int64_t n, int64_t num_classes, DType dtype, void* out_ptr) {
  dispatch_float(dtype, "one_hot", [&](auto zero) {
    using T = decltype(zero);
    T* out = static_cast<T*>(out_ptr);
    for (int64_t i = 0; i < n * num_classes; ++i) out[i] = T(0);
    for (int64_t i = 0; i < n; ++i) out[i * num_classes + labels[i]] = T(1);
  });
}

}  // namespace idml::cpu
