// Batch normalisation per channel of x (N, C, HW), parallel over channels.
//   forward:  xhat = (x - mean) * invstd,  y = gamma * xhat + beta
//   backward (batch statistics, M = N * HW):
//     dbeta = sum dy,  dgamma = sum dy * xhat,
//     dx = gamma * invstd / M * (M dy - dbeta - xhat dgamma)
//   backward (fixed statistics): dx = dy * gamma * invstd
// gamma and beta may be null (1 and 0).
#include <cmath>

#include "engine/cpu/cpu_backend.h"

namespace idml::cpu {

namespace {

template <typename T>
T at_or(const void* p, int64_t c, T fallback) {
  return p ? static_cast<const T*>(p)[c] : fallback;
}

}  // namespace

void CpuBackend::batch_norm_forward_training(DType dtype, int64_t n, int64_t c, int64_t hw, const void* x_ptr,
                                             const void* gamma, const void* beta, void* y_ptr, void* save_mean,
                                             void* save_invstd, void* running_mean, void* running_var,
                                             double momentum, double eps) {
  dispatch_float(dtype, "batch_norm", [&](auto zero) {
    using T = decltype(zero);
    const T* x = static_cast<const T*>(x_ptr);
    T* y = static_cast<T*>(y_ptr);
    const int64_t count = n * hw;
#pragma omp parallel for if (n * c * hw > kParallelGrain)
    for (int64_t ch = 0; ch < c; ++ch) {
      double sum = 0;
      for (int64_t i = 0; i < n; ++i) {
        const T* p = x + (i * c + ch) * hw;
        for (int64_t j = 0; j < hw; ++j) sum += p[j];
      }
      const double mean = sum / count;
      double squares = 0;  // two passes: no cancellation
      for (int64_t i = 0; i < n; ++i) {
        const T* p = x + (i * c + ch) * hw;
        for (int64_t j = 0; j < hw; ++j) {
          const double d = p[j] - mean;
          squares += d * d;
        }
      }
      const double var = squares / count;
      const T invstd = static_cast<T>(1.0 / std::sqrt(var + eps));
      const T m = static_cast<T>(mean);
      static_cast<T*>(save_mean)[ch] = m;
      static_cast<T*>(save_invstd)[ch] = invstd;
      if (running_mean) {
        T& rm = static_cast<T*>(running_mean)[ch];
        T& rv = static_cast<T*>(running_var)[ch];
        const double unbiased = count > 1 ? squares / (count - 1) : var;
        rm = static_cast<T>((1 - momentum) * rm + momentum * mean);
        rv = static_cast<T>((1 - momentum) * rv + momentum * unbiased);
      }
      const T scale = invstd * at_or<T>(gamma, ch, T(1));
      const T shift = at_or<T>(beta, ch, T(0)) - m * scale;
      for (int64_t i = 0; i < n; ++i) {
        const T* p = x + (i * c + ch) * hw;
        T* q = y + (i * c + ch) * hw;
        for (int64_t j = 0; j < hw; ++j) q[j] = p[j] * scale + shift;
      }
    }
  });
}

void CpuBackend::batch_norm_forward_inference(DType dtype, int64_t n, int64_t c, int64_t hw, const void* x_ptr,
                                              const void* gamma, const void* beta, const void* mean,
                                              const void* invstd, void* y_ptr) {
  dispatch_float(dtype, "batch_norm", [&](auto zero) {
    using T = decltype(zero);
    const T* x = static_cast<const T*>(x_ptr);
    T* y = static_cast<T*>(y_ptr);
#pragma omp parallel for collapse(2) if (n * c * hw > kParallelGrain)
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t ch = 0; ch < c; ++ch) {
        const T scale = static_cast<const T*>(invstd)[ch] * at_or<T>(gamma, ch, T(1));
        const T shift = at_or<T>(beta, ch, T(0)) - static_cast<const T*>(mean)[ch] * scale;
        const T* p = x + (i * c + ch) * hw;
        T* q = y + (i * c + ch) * hw;
        for (int64_t j = 0; j < hw; ++j) q[j] = p[j] * scale + shift;
      }
    }
  });
}

void CpuBackend::batch_norm_backward(DType dtype, BatchNormMode mode, int64_t n, int64_t c, int64_t hw,
                                     const void* x_ptr, const void* dy_ptr, const void* gamma, const void* mean_ptr,
                                     const void* invstd_ptr, void* dx_ptr, void* dgamma, void* dbeta) {
  const bool training = mode == BatchNormMode::training;
  dispatch_float(dtype, "batch_norm backward", [&](auto zero) {
    using T = decltype(zero);
    const T* x = static_cast<const T*>(x_ptr);
    const T* dy = static_cast<const T*>(dy_ptr);
    T* dx = static_cast<T*>(dx_ptr);
    const int64_t count = n * hw;
#pragma omp parallel for if (n * c * hw > kParallelGrain)
    for (int64_t ch = 0; ch < c; ++ch) {
      const T mean = static_cast<const T*>(mean_ptr)[ch];
      const T invstd = static_cast<const T*>(invstd_ptr)[ch];
      // sum dy only where it is used (dbeta, or dx in training)
      const bool with_sum_dy = dbeta || (training && dx);
      double sum_dy = 0, sum_dy_xhat = 0;
      for (int64_t i = 0; i < n; ++i) {
        const T* p = x + (i * c + ch) * hw;
        const T* g = dy + (i * c + ch) * hw;
        if (with_sum_dy)
          for (int64_t j = 0; j < hw; ++j) {
            sum_dy += g[j];
            sum_dy_xhat += g[j] * (p[j] - mean);
          }
        else
          for (int64_t j = 0; j < hw; ++j) sum_dy_xhat += g[j] * (p[j] - mean);
      }
      sum_dy_xhat *= invstd;
      if (dgamma) static_cast<T*>(dgamma)[ch] = static_cast<T>(sum_dy_xhat);
      if (dbeta) static_cast<T*>(dbeta)[ch] = static_cast<T>(sum_dy);
      if (!dx) continue;
      const T scale = invstd * at_or<T>(gamma, ch, T(1));
      if (!training) {
        for (int64_t i = 0; i < n; ++i) {
          const T* g = dy + (i * c + ch) * hw;
          T* q = dx + (i * c + ch) * hw;
          for (int64_t j = 0; j < hw; ++j) q[j] = g[j] * scale;
        }
        continue;
      }
      const T mean_dy = static_cast<T>(sum_dy / count);
      const T xhat_coef = static_cast<T>(sum_dy_xhat / count) * invstd;
      for (int64_t i = 0; i < n; ++i) {
        const T* p = x + (i * c + ch) * hw;
        const T* g = dy + (i * c + ch) * hw;
        T* q = dx + (i * c + ch) * hw;
        for (int64_t j = 0; j < hw; ++j) q[j] = (g[j] - mean_dy - (p[j] - mean) * xhat_coef) * scale;
      }
    }
  });
}

}  // namespace idml::cpu
