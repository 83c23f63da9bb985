// Row selection, column gathers and their scatter-add backwards, one-hot,
// mirroring engine/cpu/indexing.cpp. Index values were validated by the op
// front-ends. Scatter-adds use atomicAdd because indices may repeat, so the
// order of additions into a repeated slot (not the set of terms) varies
// from run to run.
#include <cstdint>

#include "engine/cuda/kernel_utils.cuh"

namespace idml::cuda {

namespace {

// x (num_rows, row_size) -> out (count, row_size); E is a same-size bit type,
// so one kernel serves every dtype.
template <typename E>
__global__ void index_select_rows_kernel(const E* x, const int64_t* indices, int64_t count, int64_t row_size,
                                         E* out) {
  IDML_GRID_STRIDE_LOOP(i, count * row_size) {
    const int64_t r = i / row_size, j = i % row_size;
    out[i] = x[indices[r] * row_size + j];
  }
}

// out[indices[r], j] += src[r, j]
template <typename T>
__global__ void index_add_rows_kernel(const T* src, const int64_t* indices, int64_t count, int64_t row_size, T* out) {
  IDML_GRID_STRIDE_LOOP(i, count * row_size) {
    const int64_t r = i / row_size, j = i % row_size;
    atomicAdd(out + indices[r] * row_size + j, src[i]);
  }
}

// out[r, j] = x[r, indices[r, j]], x (rows, cols), indices/out (rows, k)
template <typename T>
__global__ void gather_cols_kernel(const T* x, int64_t rows, int64_t cols, const int64_t* indices, int64_t k, T* out) {
  IDML_GRID_STRIDE_LOOP(i, rows * k) out[i] = x[(i / k) * cols + indices[i]];
}

// dx[r, indices[r, j]] += dy[r, j]
template <typename T>
__global__ void scatter_add_cols_kernel(const T* dy, int64_t rows, int64_t cols, const int64_t* indices, int64_t k,
                                        T* dx) {
  IDML_GRID_STRIDE_LOOP(i, rows * k) atomicAdd(dx + (i / k) * cols + indices[i], dy[i]);
}

// out (n, num_classes), zeroed before: out[i, labels[i]] = 1
template <typename T>
__global__ void one_hot_kernel(const int64_t* labels, int64_t n, int64_t num_classes, T* out) {
  IDML_GRID_STRIDE_LOOP(i, n) out[i * num_classes + labels[i]] = T(1);
}

}  // namespace

void CudaBackend::index_select_rows(DType dtype, const void* x, int64_t, const int64_t* indices, int64_t count,
                                    int64_t row_size, void* out) {
  const int64_t n = count * row_size;
  if (n == 0) return;
  make_current_device(device_);
  if (dtype_size(dtype) == 4) {
    index_select_rows_kernel<<<blocks_for(n), kThreads, 0, stream_>>>(
        static_cast<const uint32_t*>(x), indices, count, row_size, static_cast<uint32_t*>(out));
  } else {
    index_select_rows_kernel<<<blocks_for(n), kThreads, 0, stream_>>>(
        static_cast<const uint64_t*>(x), indices, count, row_size, static_cast<uint64_t*>(out));
  }
  IDML_CUDA_CHECK_LAUNCH();
}

void CudaBackend::index_add_rows(DType dtype, const void* src, const int64_t* indices, int64_t count,
                                 int64_t row_size, void* out, int64_t) {
  const int64_t n = count * row_size;
  if (n == 0) return;
  make_current_device(device_);
  dispatch_float(dtype, "index_select backward", [&](auto zero) {
    using T = decltype(zero);
    index_add_rows_kernel<<<blocks_for(n), kThreads, 0, stream_>>>(static_cast<const T*>(src), indices, count,
                                                                   row_size, static_cast<T*>(out));
  });
  IDML_CUDA_CHECK_LAUNCH();
}

void CudaBackend::gather_cols(DType dtype, const void* x, int64_t rows, int64_t cols, const int64_t* indices,
                              int64_t k, void* out) {
  if (rows * k == 0) return;
  make_current_device(device_);
  dispatch_float(dtype, "gather", [&](auto zero) {
    using T = decltype(zero);
    gather_cols_kernel<<<blocks_for(rows * k), kThreads, 0, stream_>>>(static_cast<const T*>(x), rows, cols, indices,
                                                                       k, static_cast<T*>(out));
  });
  IDML_CUDA_CHECK_LAUNCH();
}

void CudaBackend::scatter_add_cols(DType dtype, const void* dy, int64_t rows, int64_t cols, const int64_t* indices,
                                   int64_t k, void* dx) {
  if (rows * k == 0) return;
  make_current_device(device_);
  dispatch_float(dtype, "gather backward", [&](auto zero) {
    using T = decltype(zero);
    scatter_add_cols_kernel<<<blocks_for(rows * k), kThreads, 0, stream_>>>(static_cast<const T*>(dy), rows, cols,
                                                                            indices, k, static_cast<T*>(dx));
  });
  IDML_CUDA_CHECK_LAUNCH();
}

void CudaBackend::one_hot(const int64_t* labels, int64_t n, int64_t num_classes, DType dtype, void* out) {
  if (n * num_classes == 0) return;
  make_current_device(device_);
  dispatch_float(dtype, "one_hot", [&](auto zero) {
    using T = decltype(zero);
    IDML_CUDA_CHECK(cudaMemsetAsync(out, 0, n * num_classes * sizeof(T), stream_));
    one_hot_kernel<<<blocks_for(n), kThreads, 0, stream_>>>(labels, n, num_classes, static_cast<T*>(out));
  });
  IDML_CUDA_CHECK_LAUNCH();
}

}  // namespace idml::cuda
