// Fused optimizer updates on the GPU: one kernel per parameter tensor (the
// CPU version in engine/cpu/optimizer_steps.cpp has the same formula).
#include "engine/cuda/kernel_utils.cuh"

namespace idml::cuda {

namespace {

template <typename T>
__global__ void adam_step_kernel(int64_t n, T* param, const T* grad, T* m, T* v, T beta1, T one_minus_beta1, T beta2,
                                 T one_minus_beta2, T decay, T decay_factor, T sqrt_bias_correction2, T eps,
                                 T step_size, bool decay_param, bool decay_grad) {
  IDML_GRID_STRIDE_LOOP(i, n) {
    T p = param[i], g = grad[i];
    if (decay_param) p = p * decay_factor;
    if (decay_grad) g = g + p * decay;
    const T mi = m[i] * beta1 + g * one_minus_beta1;
    const T vi = v[i] * beta2 + (g * g) * one_minus_beta2;
    const T denom = sqrt(vi) / sqrt_bias_correction2 + eps;
    m[i] = mi;
    v[i] = vi;
    param[i] = p - (mi / denom) * step_size;
  }
}

}  // namespace

void CudaBackend::adam_step(DType dtype, const AdamStep& s, int64_t n, void* param, const void* grad, void* exp_avg,
                            void* exp_avg_sq) {
  if (n == 0) return;
  DeviceGuard guard(device_);
  dispatch_float(dtype, "adam_step", [&](auto zero) {
    using T = decltype(zero);
    adam_step_kernel<T><<<blocks_for(n), kThreads, 0, stream_>>>(
        n, static_cast<T*>(param), static_cast<const T*>(grad), static_cast<T*>(exp_avg), static_cast<T*>(exp_avg_sq),
        T(s.beta1), T(1.0 - s.beta1), T(s.beta2), T(1.0 - s.beta2), T(s.weight_decay),
        T(1.0 - s.lr * s.weight_decay), T(std::sqrt(s.bias_correction2)), T(s.eps), T(s.lr / s.bias_correction1),
        s.weight_decay != 0.0 && s.decoupled_weight_decay, s.weight_decay != 0.0 && !s.decoupled_weight_decay);
  });
  IDML_CUDA_CHECK_LAUNCH();
}

}  // namespace idml::cuda
