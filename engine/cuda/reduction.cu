// Reductions over the middle axis of x viewed as (outer, reduce, inner),
// mirroring engine/cpu/reduction.cpp: sums accumulate in double; max keeps
// the first maximum and propagates NaN (the first NaN wins).
//
// Sums are deterministic: the split of the reduce axis into chunks depends
// only on the sizes, partial sums are combined in a fixed order, and warp
// sums use a fixed shuffle tree.
//   inner == 1: one warp per (row, chunk of kRowChunk elements);
//   inner  > 1: one thread per (o, i, chunk of kColumnChunk rows), adjacent
//               threads on adjacent i so loads coalesce.
// With one chunk the result is written directly, else a second kernel adds
// the chunks' partial sums in chunk order.
#include "engine/cuda/kernel_utils.cuh"

namespace idml::cuda {

namespace {

constexpr int64_t kRowChunk = 32768;
constexpr int64_t kColumnChunk = 1024;
constexpr int kWarpsPerBlock = kThreads / 32;

__device__ inline double warp_sum(double v) {
  for (int offset = 16; offset > 0; offset /= 2) v += __shfl_down_sync(0xffffffffu, v, offset);
  return v;  // complete in lane 0
}

// x (outer, reduce); warp w handles row w / splits, chunk w % splits.
template <typename T>
__global__ void sum_rows_kernel(const T* x, int64_t outer, int64_t reduce, int64_t splits, T* out, double* partial) {
  const int64_t warp = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  const int lane = threadIdx.x % 32;
  if (warp >= outer * splits) return;  // whole warps exit together
  const int64_t o = warp / splits, s = warp % splits;
  const int64_t begin = s * kRowChunk, end = min(reduce, begin + kRowChunk);
  const T* row = x + o * reduce;
  double acc = 0;
  for (int64_t r = begin + lane; r < end; r += 32) acc += row[r];
  acc = warp_sum(acc);
  if (lane == 0) {
    if (splits == 1) out[o] = static_cast<T>(acc);
    else partial[warp] = acc;
  }
}

// x (outer, reduce, inner); thread t handles chunk t / (outer inner) of column t % (outer inner).
template <typename T>
__global__ void sum_columns_kernel(const T* x, int64_t outer, int64_t reduce, int64_t inner, int64_t splits, T* out,
                                   double* partial) {
  const int64_t columns = outer * inner;
  IDML_GRID_STRIDE_LOOP(t, columns * splits) {
    const int64_t s = t / columns, column = t % columns;
    const int64_t o = column / inner, i = column % inner;
    const int64_t begin = s * kColumnChunk, end = min(reduce, begin + kColumnChunk);
    const T* base = x + o * reduce * inner + i;
    double acc = 0;
    for (int64_t r = begin; r < end; ++r) acc += base[r * inner];
    if (splits == 1) out[column] = static_cast<T>(acc);
    else partial[t] = acc;
  }
}

// out[j] = sum over s of partial at j * j_stride + s * s_stride, in s order.
template <typename T>
__global__ void sum_partials_kernel(const double* partial, int64_t count, int64_t splits, int64_t j_stride,
                                    int64_t s_stride, T* out) {
  IDML_GRID_STRIDE_LOOP(j, count) {
    double acc = 0;
    for (int64_t s = 0; s < splits; ++s) acc += partial[j * j_stride + s * s_stride];
    out[j] = static_cast<T>(acc);
  }
}

// The better of two (value, index) candidates, independent of the order in
// which they meet: NaN beats numbers, a larger value beats a smaller one,
// and between equals the smaller index (the first maximum) wins. index -1 = none.
template <typename T>
__device__ inline void max_combine(T& v, int64_t& idx, T other_v, int64_t other_idx) {
  if (other_idx < 0) return;
  bool take;
  if (idx < 0) take = true;
  else if (isnan(v) || isnan(other_v)) take = isnan(other_v) && (!isnan(v) || other_idx < idx);
  else take = other_v > v || (other_v == v && other_idx < idx);
  if (take) {
    v = other_v;
    idx = other_idx;
  }
}

// x (outer, reduce) -> values, indices (outer); one warp per row.
template <typename T>
__global__ void max_rows_kernel(const T* x, int64_t outer, int64_t reduce, T* values, int64_t* indices) {
  const int64_t row = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  const int lane = threadIdx.x % 32;
  if (row >= outer) return;
  const T* p = x + row * reduce;
  T best = T(0);
  int64_t best_index = -1;
  for (int64_t r = lane; r < reduce; r += 32) max_combine(best, best_index, p[r], r);
  for (int offset = 16; offset > 0; offset /= 2) {
    const T other_v = __shfl_down_sync(0xffffffffu, best, offset);
    const int64_t other_idx = __shfl_down_sync(0xffffffffu, best_index, offset);
    max_combine(best, best_index, other_v, other_idx);
  }
  if (lane == 0) {
    values[row] = best;
    indices[row] = best_index;
  }
}

// x (outer, reduce, inner) -> values, indices (outer, inner); one thread per (o, i), r in order as on the CPU.
template <typename T>
__global__ void max_columns_kernel(const T* x, int64_t outer, int64_t reduce, int64_t inner, T* values,
                                   int64_t* indices) {
  IDML_GRID_STRIDE_LOOP(column, outer * inner) {
    const int64_t o = column / inner, i = column % inner;
    const T* base = x + o * reduce * inner + i;
    T best = base[0];
    int64_t best_index = 0;
    for (int64_t r = 1; r < reduce; ++r) {
      const T v = base[r * inner];
      if (!isnan(best) && (v > best || isnan(v))) {
        best = v;
        best_index = r;
      }
    }
    values[column] = best;
    indices[column] = best_index;
  }
}

// dx (outer, reduce, inner), zeroed before: dx[o, indices[o, i], i] = dy[o, i]
template <typename T>
__global__ void max_backward_kernel(const T* dy, const int64_t* indices, T* dx, int64_t outer, int64_t reduce,
                                    int64_t inner) {
  IDML_GRID_STRIDE_LOOP(column, outer * inner) {
    const int64_t o = column / inner, i = column % inner;
    dx[(o * reduce + indices[column]) * inner + i] = dy[column];
  }
}

unsigned int blocks_for_warps(int64_t warps) {
  const int64_t blocks = (warps + kWarpsPerBlock - 1) / kWarpsPerBlock;
  IDML_CHECK(blocks <= 0x7fffffff, "reduction (CUDA): ", warps, " rows exceed the grid limit");
  return static_cast<unsigned int>(blocks);
}

}  // namespace

void CudaBackend::sum_axis(DType dtype, const void* x_ptr, void* out_ptr, int64_t outer, int64_t reduce,
                           int64_t inner) {
  if (outer * inner == 0) return;
  if (reduce == 0) {  // empty sums
    fill(dtype, out_ptr, outer * inner, 0.0);
    return;
  }
  make_current_device(device_);
  dispatch_float(dtype, "sum", [&](auto zero) {
    using T = decltype(zero);
    const T* x = static_cast<const T*>(x_ptr);
    T* out = static_cast<T*>(out_ptr);
    if (inner == 1) {
      const int64_t splits = (reduce + kRowChunk - 1) / kRowChunk;
      ScratchBuffer partial(allocator_, splits > 1 ? outer * splits * sizeof(double) : 0);
      sum_rows_kernel<<<blocks_for_warps(outer * splits), kThreads, 0, stream_>>>(x, outer, reduce, splits, out,
                                                                                  partial.get<double>());
      IDML_CUDA_CHECK_LAUNCH();
      if (splits > 1) {  // partial (outer, splits)
        sum_partials_kernel<<<blocks_for(outer), kThreads, 0, stream_>>>(partial.get<double>(), outer, splits,
                                                                        splits, 1, out);
        IDML_CUDA_CHECK_LAUNCH();
      }
    } else {
      const int64_t splits = (reduce + kColumnChunk - 1) / kColumnChunk;
      const int64_t columns = outer * inner;
      ScratchBuffer partial(allocator_, splits > 1 ? columns * splits * sizeof(double) : 0);
      sum_columns_kernel<<<blocks_for(columns * splits), kThreads, 0, stream_>>>(x, outer, reduce, inner, splits,
                                                                                 out, partial.get<double>());
      IDML_CUDA_CHECK_LAUNCH();
      if (splits > 1) {  // partial (splits, columns)
        sum_partials_kernel<<<blocks_for(columns), kThreads, 0, stream_>>>(partial.get<double>(), columns, splits,
                                                                          1, columns, out);
        IDML_CUDA_CHECK_LAUNCH();
      }
    }
  });
}

void CudaBackend::max_axis(DType dtype, const void* x, void* values, int64_t* indices, int64_t outer, int64_t reduce,
                           int64_t inner) {
  if (outer * inner == 0) return;
  IDML_CHECK(reduce > 0, "max (CUDA): reducing an empty axis");
  make_current_device(device_);
  dispatch_float(dtype, "max", [&](auto zero) {
    using T = decltype(zero);
    if (inner == 1) {
      max_rows_kernel<<<blocks_for_warps(outer), kThreads, 0, stream_>>>(
          static_cast<const T*>(x), outer, reduce, static_cast<T*>(values), indices);
    } else {
      max_columns_kernel<<<blocks_for(outer * inner), kThreads, 0, stream_>>>(
          static_cast<const T*>(x), outer, reduce, inner, static_cast<T*>(values), indices);
    }
  });
  IDML_CUDA_CHECK_LAUNCH();
}

void CudaBackend::max_axis_backward(DType dtype, const void* dy, const int64_t* indices, void* dx, int64_t outer,
                                    int64_t reduce, int64_t inner) {
  const int64_t n = outer * reduce * inner;
  if (n == 0) return;
  make_current_device(device_);
  dispatch_float(dtype, "max backward", [&](auto zero) {
    using T = decltype(zero);
    IDML_CUDA_CHECK(cudaMemsetAsync(dx, 0, n * sizeof(T), stream_));  // all-zero bits are +0.0
    max_backward_kernel<<<blocks_for(outer * inner), kThreads, 0, stream_>>>(
        static_cast<const T*>(dy), indices, static_cast<T*>(dx), outer, reduce, inner);
  });
  IDML_CUDA_CHECK_LAUNCH();
}

}  // namespace idml::cuda
