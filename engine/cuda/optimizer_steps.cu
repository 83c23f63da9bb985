// Fused optimizer updates on the GPU: one kernel per parameter tensor; the
// per-element update is engine/elementwise_math.h, shared with the CPU loop.
#include "engine/cuda/kernel_utils.cuh"

namespace idml::cuda {

namespace {

template <typename T>
__global__ void adam_step_kernel(int64_t n, AdamConstants<T> c, T* param, const T* grad, T* m, T* v) {
  IDML_GRID_STRIDE_LOOP(i, n) adam_update(c, param[i], grad[i], m[i], v[i]);
}

}  // namespace

void CudaBackend::adam_step(DType dtype, const AdamStep& s, int64_t n, void* param, const void* grad, void* exp_avg,
                            void* exp_avg_sq) {
  if (n == 0) return;
  make_current_device(device_);
  dispatch_float(dtype, "adam_step", [&](auto zero) {
    using T = decltype(zero);
    adam_step_kernel<T><<<blocks_for(n), kThreads, 0, stream_>>>(
        n, AdamConstants<T>::from(s), static_cast<T*>(param), static_cast<const T*>(grad), static_cast<T*>(exp_avg),
        static_cast<T*>(exp_avg_sq));
  });
  IDML_CUDA_CHECK_LAUNCH();
}

}  // namespace idml::cuda
