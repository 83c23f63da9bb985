// Fused optimizer updates: one pass over the parameter, its gradient and the
// moments instead of a dozen elementwise ops and temporaries. The operations
// run in the same order as the op-by-op formula, so results are identical
// (the per-element update is engine/elementwise_math.h, shared with CUDA).
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
    const AdamConstants<T> c = AdamConstants<T>::from(s);
#pragma omp parallel for if (parallel_path(n))
    for (int64_t i = 0; i < n; ++i) adam_update(c, param[i], grad[i], m[i], v[i]);
  });
}

}  // namespace idml::cpu
