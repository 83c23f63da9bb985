// Elementwise kernels: fill, cast, unary maps, broadcast binary ops, where,
// broadcast copy, 2-D transpose. The per-element math is
// engine/elementwise_math.h, shared with the CPU loops; the op is a runtime
// switch inside one kernel per dtype (uniform across a launch, so it costs no
// divergence) to keep compile time low.
#include "engine/cuda/kernel_utils.cuh"
#include "engine/cuda/launch_geometry.h"

namespace idml::cuda {

namespace {

template <typename T>
__global__ void fill_kernel(T* out, int64_t n, T value) {
  IDML_GRID_STRIDE_LOOP(i, n) out[i] = value;
}

template <typename S, typename D>
__global__ void cast_kernel(const S* x, D* out, int64_t n) {
  IDML_GRID_STRIDE_LOOP(i, n) out[i] = static_cast<D>(x[i]);
}

// x, out (n)
template <typename T>
__global__ void unary_kernel(UnaryOp op, const T* x, T* out, int64_t n, T a, T b) {
  IDML_GRID_STRIDE_LOOP(i, n) out[i] = apply_unary(op, x[i], a, b);
}

// a, b broadcast by the plan to out (plan.numel)
template <typename T>
__global__ void binary_kernel(BinaryOp op, BroadcastPlan plan, bool contiguous, const T* a, const T* b, T* out) {
  IDML_GRID_STRIDE_LOOP(i, plan.numel) {
    if (contiguous) {
      out[i] = apply_binary(op, a[i], b[i]);
    } else {
      const Offsets off = broadcast_offsets(plan, i);
      out[i] = apply_binary(op, a[off.o[0]], b[off.o[1]]);
    }
  }
}

// cond, a, b broadcast by the plan to out
template <typename T>
__global__ void where_kernel(BroadcastPlan plan, const T* cond, const T* a, const T* b, T* out) {
  IDML_GRID_STRIDE_LOOP(i, plan.numel) {
    const Offsets off = broadcast_offsets(plan, i);
    out[i] = cond[off.o[0]] != T(0) ? a[off.o[1]] : b[off.o[2]];
  }
}

// x broadcast by the plan to out
template <typename T>
__global__ void broadcast_copy_kernel(BroadcastPlan plan, const T* x, T* out) {
  IDML_GRID_STRIDE_LOOP(i, plan.numel) out[i] = x[broadcast_offsets(plan, i).o[0]];
}

// x (rows, cols) -> out (cols, rows) through a 32 x 33 shared tile (the
// padding column avoids shared-memory bank conflicts). Block (32, 8); row
// tiles on grid.x, column tiles on grid.y in steps of gridDim.y
// (launch_geometry.h).
constexpr int kTile = 32;
template <typename T>
__global__ void transpose_kernel(const T* x, T* out, int64_t rows, int64_t cols, int64_t col_tiles) {
  __shared__ T tile[kTile][kTile + 1];
  const int64_t r0 = static_cast<int64_t>(blockIdx.x) * kTile;
  for (int64_t col_tile = blockIdx.y; col_tile < col_tiles; col_tile += gridDim.y) {  // uniform over the block
    const int64_t c0 = col_tile * kTile;
    for (int dy = threadIdx.y; dy < kTile; dy += blockDim.y) {
      const int64_t r = r0 + dy, c = c0 + threadIdx.x;
      if (r < rows && c < cols) tile[dy][threadIdx.x] = x[r * cols + c];
    }
    __syncthreads();
    for (int dy = threadIdx.y; dy < kTile; dy += blockDim.y) {
      const int64_t c = c0 + dy, r = r0 + threadIdx.x;  // out row c, column r
      if (r < rows && c < cols) out[c * rows + r] = tile[threadIdx.x][dy];
    }
    __syncthreads();  // the tile is refilled by the next column tile
  }
}

}  // namespace

void CudaBackend::fill(DType dtype, void* out, int64_t n, double value) {
  if (n == 0) return;
  make_current_device(device_);
  dispatch_any(dtype, [&](auto zero) {
    using T = decltype(zero);
    fill_kernel<<<blocks_for(n), kThreads, 0, stream_>>>(static_cast<T*>(out), n, static_cast<T>(value));
  });
  IDML_CUDA_CHECK_LAUNCH();
}

void CudaBackend::cast(DType from, DType to, const void* x, void* out, int64_t n) {
  if (n == 0) return;
  make_current_device(device_);
  dispatch_cast(from, to, [&](auto src_zero, auto dst_zero) {
    using S = decltype(src_zero);
    using D = decltype(dst_zero);
    cast_kernel<<<blocks_for(n), kThreads, 0, stream_>>>(static_cast<const S*>(x), static_cast<D*>(out), n);
  });
  IDML_CUDA_CHECK_LAUNCH();
}

void CudaBackend::unary(UnaryOp op, DType dtype, const void* x, void* out, int64_t n, double a, double b) {
  if (n == 0) return;
  make_current_device(device_);
  dispatch_float(dtype, "unary op", [&](auto zero) {
    using T = decltype(zero);
    unary_kernel<<<blocks_for(n), kThreads, 0, stream_>>>(op, static_cast<const T*>(x), static_cast<T*>(out), n,
                                                          static_cast<T>(a), static_cast<T>(b));
  });
  IDML_CUDA_CHECK_LAUNCH();
}

void CudaBackend::binary(BinaryOp op, DType dtype, const BroadcastPlan& plan, const void* a, const void* b,
                         void* out) {
  if (plan.numel == 0) return;
  make_current_device(device_);
  const bool contiguous = plan.contiguous[0] && plan.contiguous[1];
  dispatch_float(dtype, "binary op", [&](auto zero) {
    using T = decltype(zero);
    binary_kernel<<<blocks_for(plan.numel), kThreads, 0, stream_>>>(
        op, plan, contiguous, static_cast<const T*>(a), static_cast<const T*>(b), static_cast<T*>(out));
  });
  IDML_CUDA_CHECK_LAUNCH();
}

void CudaBackend::where(DType dtype, const BroadcastPlan& plan, const void* cond, const void* a, const void* b,
                        void* out) {
  if (plan.numel == 0) return;
  make_current_device(device_);
  dispatch_float(dtype, "where", [&](auto zero) {
    using T = decltype(zero);
    where_kernel<<<blocks_for(plan.numel), kThreads, 0, stream_>>>(
        plan, static_cast<const T*>(cond), static_cast<const T*>(a), static_cast<const T*>(b), static_cast<T*>(out));
  });
  IDML_CUDA_CHECK_LAUNCH();
}

void CudaBackend::broadcast_copy(DType dtype, const BroadcastPlan& plan, const void* x, void* out) {
  if (plan.numel == 0) return;
  make_current_device(device_);
  dispatch_float(dtype, "expand", [&](auto zero) {
    using T = decltype(zero);
    broadcast_copy_kernel<<<blocks_for(plan.numel), kThreads, 0, stream_>>>(plan, static_cast<const T*>(x),
                                                                            static_cast<T*>(out));
  });
  IDML_CUDA_CHECK_LAUNCH();
}

void CudaBackend::transpose2d(DType dtype, const void* x, void* out, int64_t rows, int64_t cols) {
  if (rows == 0 || cols == 0) return;
  const TileGrid g = transpose_grid(rows, cols, kTile);
  make_current_device(device_);
  const dim3 grid(static_cast<unsigned int>(g.x), static_cast<unsigned int>(g.y));
  const dim3 block(kTile, 8);
  dispatch_float(dtype, "transpose", [&](auto zero) {
    using T = decltype(zero);
    transpose_kernel<<<grid, block, 0, stream_>>>(static_cast<const T*>(x), static_cast<T*>(out), rows, cols,
                                                  g.col_tiles);
  });
  IDML_CUDA_CHECK_LAUNCH();
}

}  // namespace idml::cuda
