// Fused optimizer updates: one pass over the parameter, its gradient and the
// moments instead of a dozen elementwise ops and temporaries. The operations
// run in the same order as the op-by-op formula, so results are identical.
#include <cmath>

#include "engine/cpu/cpu_backend.h"

namespace idml::cpu {

void CpuBackend::adam_step(DType dtype, const AdamStep& s, int64_t n, void* param_ptr, const void* grad_ptr,
                           void* exp_avg_ptr, void* exp_avg_sq_ptr) {
  dispatch_float(dtype, "adam_step", [&](auto zero) {
    using T = decltype(zero);
    T* param = static_cast<T*>(param_ptr);
    const T* grad = static_cast<const T*>(grad_ptr);
    T* m = static_cast<T*>(exp_avg_ptr);
    T* v = static_cast<T*>(exp_avg_sq_ptr);
    const T beta1 = T(s.beta1), one_minus_beta1 = T(1.0 - s.beta1);
    const T beta2 = T(s.beta2), one_minus_beta2 = T(1.0 - s.beta2);
    const T decay = T(s.weight_decay), decay_factor = T(1.0 - s.lr * s.weight_decay);
    const T sqrt_bias_correction2 = T(std::sqrt(s.bias_correction2)), eps = T(s.eps);
    const T step_size = T(s.lr / s.bias_correction1);
    const bool decay_param = s.weight_decay != 0.0 && s.decoupled_weight_decay;
    const bool decay_grad = s.weight_decay != 0.0 && !s.decoupled_weight_decay;
#pragma omp parallel for if (n > kParallelGrain)
    for (int64_t i = 0; i < n; ++i) {
      T p = param[i], g = grad[i];
      if (decay_param) p = p * decay_factor;
      if (decay_grad) g = g + p * decay;
      const T mi = m[i] * beta1 + g * one_minus_beta1;
      const T vi = v[i] * beta2 + (g * g) * one_minus_beta2;
      const T denom = std::sqrt(vi) / sqrt_bias_correction2 + eps;
      m[i] = mi;
      v[i] = vi;
      param[i] = p - (mi / denom) * step_size;
    }
  });
}

}  // namespace idml::cpu
