// Batch normalisation per channel of x (N, C, HW), mirroring
// engine/cpu/batch_norm.cpp and its formulas:
//   forward:  mean = sum x / M, var = sum (x - mean)^2 / M (two passes, in
//             double), invstd = 1 / sqrt(var + eps), y = x * scale + shift
//             with scale = gamma invstd, shift = beta - mean scale;
//             running stats r = (1 - momentum) r + momentum stat, unbiased var
//   backward (batch statistics, M = N * HW):
//     dbeta = sum dy,  dgamma = invstd sum dy (x - mean),
//     dx = (dy - dbeta / M - (x - mean) invstd dgamma / M) gamma invstd
//   backward (fixed statistics): dx = dy * gamma * invstd
// Per-channel sums run as a grid of (chunk, channel) blocks writing partial
// sums, then one thread per channel adds them in chunk order (deterministic).
#include "engine/cuda/kernel_utils.cuh"

namespace idml::cuda {

namespace {

constexpr int64_t kChunk = 16384;  // elements of one channel per block

enum class SumMode : int {
  Values,              // a = sum x
  SquaredDeviations,   // a = sum (x - mean_d)^2, in double as on the CPU
  Backward,            // a = sum dy, b = sum dy (x - mean_t), products in T as on the CPU
};

// Sum over the block in a fixed order; result valid in thread 0.
__device__ double block_sum(double v, double* shared) {
  for (int offset = 16; offset > 0; offset /= 2) v += __shfl_down_sync(0xffffffffu, v, offset);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  __syncthreads();  // shared may still be read by a previous call
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  double total = 0;
  if (threadIdx.x == 0)
    for (int w = 0; w < kThreads / 32; ++w) total += shared[w];
  return total;
}

// x, dy (N, C, HW); partial_a/_b (C, splits); block (s, ch) sums chunk s of channel ch.
template <typename T>
__global__ void channel_sums_kernel(SumMode mode, const T* x, const T* dy, const double* mean_d, const T* mean_t,
                                    int64_t c, int64_t hw, int64_t count, bool fits32, double* partial_a,
                                    double* partial_b) {
  __shared__ double shared[kThreads / 32];
  const int64_t ch = blockIdx.y, s = blockIdx.x, splits = gridDim.x;
  const int64_t begin = s * kChunk, end = min(count, begin + kChunk);
  double a = 0, b = 0;
  for (int64_t e = begin + threadIdx.x; e < end; e += blockDim.x) {
    const QuotientRemainder sample = divide(e, hw, fits32);  // e = sample * hw + position
    const int64_t index = (sample.quotient * c + ch) * hw + sample.remainder;
    if (mode == SumMode::Values) {
      a += x[index];
    } else if (mode == SumMode::SquaredDeviations) {
      const double d = x[index] - mean_d[ch];
      a += d * d;
    } else {
      const T g = dy[index];
      a += g;
      b += g * (x[index] - mean_t[ch]);
    }
  }
  a = block_sum(a, shared);
  if (mode == SumMode::Backward) b = block_sum(b, shared);
  if (threadIdx.x == 0) {
    partial_a[ch * splits + s] = a;
    if (mode == SumMode::Backward) partial_b[ch * splits + s] = b;
  }
}

__device__ double sum_partials(const double* partial, int64_t ch, int64_t splits) {
  double acc = 0;
  for (int64_t s = 0; s < splits; ++s) acc += partial[ch * splits + s];
  return acc;
}

// mean_d (C) = sum x / M
__global__ void mean_kernel(const double* partial, int64_t c, int64_t splits, int64_t count, double* mean_d) {
  IDML_GRID_STRIDE_LOOP(ch, c) mean_d[ch] = sum_partials(partial, ch, splits) / count;
}

// Per channel: save_mean, save_invstd, running stats, and coef = (scale (C), shift (C)).
template <typename T>
__global__ void finish_forward_kernel(const double* partial, const double* mean_d, int64_t c, int64_t splits,
                                      int64_t count, const T* gamma, const T* beta, T* save_mean, T* save_invstd,
                                      T* running_mean, T* running_var, double momentum, double eps, T* coef) {
  IDML_GRID_STRIDE_LOOP(ch, c) {
    const double squares = sum_partials(partial, ch, splits);
    const double mean = mean_d[ch];
    const double var = squares / count;
    const T invstd = static_cast<T>(1.0 / sqrt(var + eps));
    const T m = static_cast<T>(mean);
    save_mean[ch] = m;
    save_invstd[ch] = invstd;
    if (running_mean) {
      const double unbiased = count > 1 ? squares / (count - 1) : var;
      running_mean[ch] = static_cast<T>((1 - momentum) * running_mean[ch] + momentum * mean);
      running_var[ch] = static_cast<T>((1 - momentum) * running_var[ch] + momentum * unbiased);
    }
    const T scale = invstd * (gamma ? gamma[ch] : T(1));
    coef[ch] = scale;
    coef[c + ch] = (beta ? beta[ch] : T(0)) - m * scale;
  }
}

// coef = (scale (C), shift (C)) from given mean and invstd.
template <typename T>
__global__ void inference_coef_kernel(const T* gamma, const T* beta, const T* mean, const T* invstd, int64_t c,
                                      T* coef) {
  IDML_GRID_STRIDE_LOOP(ch, c) {
    const T scale = invstd[ch] * (gamma ? gamma[ch] : T(1));
    coef[ch] = scale;
    coef[c + ch] = (beta ? beta[ch] : T(0)) - mean[ch] * scale;
  }
}

// y (N, C, HW) = x * scale[ch] + shift[ch]
template <typename T>
__global__ void apply_kernel(const T* x, const T* coef, int64_t c, int64_t hw, int64_t n_total, bool fits32, T* y) {
  IDML_GRID_STRIDE_LOOP(i, n_total) {
    const int64_t ch = divide(divide(i, hw, fits32).quotient, c, fits32).remainder;
    y[i] = x[i] * coef[ch] + coef[c + ch];
  }
}

// Per channel: dgamma, dbeta and coef = (mean_dy (C), xhat_coef (C), scale (C)).
template <typename T>
__global__ void finish_backward_kernel(const double* partial_dy, const double* partial_dy_xmu, int64_t c,
                                       int64_t splits, int64_t count, const T* gamma, const T* invstd, T* dgamma,
                                       T* dbeta, T* coef) {
  IDML_GRID_STRIDE_LOOP(ch, c) {
    const double sum_dy = sum_partials(partial_dy, ch, splits);
    const double sum_dy_xhat = sum_partials(partial_dy_xmu, ch, splits) * invstd[ch];
    if (dgamma) dgamma[ch] = static_cast<T>(sum_dy_xhat);
    if (dbeta) dbeta[ch] = static_cast<T>(sum_dy);
    coef[ch] = static_cast<T>(sum_dy / count);
    coef[c + ch] = static_cast<T>(sum_dy_xhat / count) * invstd[ch];
    coef[2 * c + ch] = invstd[ch] * (gamma ? gamma[ch] : T(1));
  }
}

// dx (N, C, HW) from dy, x and coef (see the header comment).
template <typename T>
__global__ void backward_dx_kernel(bool training, const T* x, const T* dy, const T* mean, const T* coef, int64_t c,
                                   int64_t hw, int64_t n_total, bool fits32, T* dx) {
  IDML_GRID_STRIDE_LOOP(i, n_total) {
    const int64_t ch = divide(divide(i, hw, fits32).quotient, c, fits32).remainder;
    const T scale = coef[2 * c + ch];
    dx[i] = training ? (dy[i] - coef[ch] - (x[i] - mean[ch]) * coef[c + ch]) * scale : dy[i] * scale;
  }
}

void check_channels(int64_t c) {
  IDML_CHECK(c <= 65535, "batch_norm (CUDA): ", c, " channels exceed the grid limit of 65535");
}

}  // namespace

void CudaBackend::batch_norm_forward_training(DType dtype, int64_t n, int64_t c, int64_t hw, const void* x,
                                              const void* gamma, const void* beta, void* y, void* save_mean,
                                              void* save_invstd, void* running_mean, void* running_var,
                                              double momentum, double eps) {
  const int64_t count = n * hw;
  if (c == 0) return;
  IDML_CHECK(count > 0, "batch_norm (CUDA): training needs values in each channel");
  check_channels(c);
  make_current_device(device_);
  dispatch_float(dtype, "batch_norm", [&](auto zero) {
    using T = decltype(zero);
    const int64_t splits = (count + kChunk - 1) / kChunk;
    ScratchBuffer partial(allocator_, c * splits * sizeof(double));
    ScratchBuffer mean_d(allocator_, c * sizeof(double));
    ScratchBuffer coef(allocator_, 2 * c * sizeof(T));
    const dim3 grid(static_cast<unsigned int>(splits), static_cast<unsigned int>(c));
    const T* xt = static_cast<const T*>(x);
    const bool fits32 = fits_32bit(n * c * hw);
    channel_sums_kernel<T><<<grid, kThreads, 0, stream_>>>(SumMode::Values, xt, nullptr, nullptr, nullptr, c, hw,
                                                           count, fits32, partial.get<double>(), nullptr);
    IDML_CUDA_CHECK_LAUNCH();
    mean_kernel<<<blocks_for(c), kThreads, 0, stream_>>>(partial.get<double>(), c, splits, count, mean_d.get<double>());
    IDML_CUDA_CHECK_LAUNCH();
    channel_sums_kernel<T><<<grid, kThreads, 0, stream_>>>(SumMode::SquaredDeviations, xt, nullptr,
                                                           mean_d.get<double>(), nullptr, c, hw, count, fits32,
                                                           partial.get<double>(), nullptr);
    IDML_CUDA_CHECK_LAUNCH();
    finish_forward_kernel<T><<<blocks_for(c), kThreads, 0, stream_>>>(
        partial.get<double>(), mean_d.get<double>(), c, splits, count, static_cast<const T*>(gamma),
        static_cast<const T*>(beta), static_cast<T*>(save_mean), static_cast<T*>(save_invstd),
        static_cast<T*>(running_mean), static_cast<T*>(running_var), momentum, eps, coef.get<T>());
    IDML_CUDA_CHECK_LAUNCH();
    apply_kernel<T><<<blocks_for(n * c * hw), kThreads, 0, stream_>>>(xt, coef.get<T>(), c, hw, n * c * hw, fits32,
                                                                      static_cast<T*>(y));
    IDML_CUDA_CHECK_LAUNCH();
  });
}

void CudaBackend::batch_norm_forward_inference(DType dtype, int64_t n, int64_t c, int64_t hw, const void* x,
                                               const void* gamma, const void* beta, const void* mean,
                                               const void* invstd, void* y) {
  if (n * c * hw == 0) return;
  make_current_device(device_);
  dispatch_float(dtype, "batch_norm", [&](auto zero) {
    using T = decltype(zero);
    ScratchBuffer coef(allocator_, 2 * c * sizeof(T));
    inference_coef_kernel<T><<<blocks_for(c), kThreads, 0, stream_>>>(
        static_cast<const T*>(gamma), static_cast<const T*>(beta), static_cast<const T*>(mean),
        static_cast<const T*>(invstd), c, coef.get<T>());
    IDML_CUDA_CHECK_LAUNCH();
    apply_kernel<T><<<blocks_for(n * c * hw), kThreads, 0, stream_>>>(static_cast<const T*>(x), coef.get<T>(), c, hw,
                                                                      n * c * hw, fits_32bit(n * c * hw),
                                                                      static_cast<T*>(y));
    IDML_CUDA_CHECK_LAUNCH();
  });
}

void CudaBackend::batch_norm_backward(DType dtype, BatchNormMode mode, int64_t n, int64_t c, int64_t hw,
                                      const void* x, const void* dy, const void* gamma, const void* mean,
                                      const void* invstd, void* dx, void* dgamma, void* dbeta) {
  const bool training = mode == BatchNormMode::training;
  const int64_t count = n * hw;
  if (c == 0) return;
  if (count == 0) {  // empty batch: parameter gradients are empty sums
    if (dgamma) fill(dtype, dgamma, c, 0.0);
    if (dbeta) fill(dtype, dbeta, c, 0.0);
    return;
  }
  check_channels(c);
  make_current_device(device_);
  dispatch_float(dtype, "batch_norm backward", [&](auto zero) {
    using T = decltype(zero);
    const int64_t splits = (count + kChunk - 1) / kChunk;
    ScratchBuffer partial_dy(allocator_, c * splits * sizeof(double));
    ScratchBuffer partial_dy_xmu(allocator_, c * splits * sizeof(double));
    ScratchBuffer coef(allocator_, 3 * c * sizeof(T));
    const T* xt = static_cast<const T*>(x);
    const T* dyt = static_cast<const T*>(dy);
    const T* mean_t = static_cast<const T*>(mean);
    const dim3 grid(static_cast<unsigned int>(splits), static_cast<unsigned int>(c));
    const bool fits32 = fits_32bit(n * c * hw);
    channel_sums_kernel<T><<<grid, kThreads, 0, stream_>>>(SumMode::Backward, xt, dyt, nullptr, mean_t, c, hw, count,
                                                           fits32, partial_dy.get<double>(),
                                                           partial_dy_xmu.get<double>());
    IDML_CUDA_CHECK_LAUNCH();
    finish_backward_kernel<T><<<blocks_for(c), kThreads, 0, stream_>>>(
        partial_dy.get<double>(), partial_dy_xmu.get<double>(), c, splits, count, static_cast<const T*>(gamma),
        static_cast<const T*>(invstd), static_cast<T*>(dgamma), static_cast<T*>(dbeta), coef.get<T>());
    IDML_CUDA_CHECK_LAUNCH();
    if (dx) {
      backward_dx_kernel<T><<<blocks_for(n * c * hw), kThreads, 0, stream_>>>(
          training, xt, dyt, mean_t, coef.get<T>(), c, hw, n * c * hw, fits32, static_cast<T*>(dx));
      IDML_CUDA_CHECK_LAUNCH();
    }
  });
}

}  // namespace idml::cuda
