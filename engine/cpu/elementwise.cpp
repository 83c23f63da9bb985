// Elementwise kernels: unary maps, broadcast binary ops, where, broadcast copy. The
// per-element math is engine/elementwise_math.h, shared with the CUDA kernels.
#include <algorithm>

#include "engine/cpu/cpu_backend.h"

namespace idml::cpu {

namespace {

// Calls f(i, offset0, offset1, offset2) for every flat output index i, with
// each operand's element offset under the plan's strides.
template <typename F>
void for_each_broadcast(const BroadcastPlan& p, int operands, F f) {
  bool all_contiguous = true;
  for (int k = 0; k < operands; ++k) all_contiguous = all_contiguous && p.contiguous[k];
  const int64_t n = p.numel;
  if (all_contiguous) {
#pragma omp parallel for if (parallel_path(n))
    for (int64_t i = 0; i < n; ++i) f(i, i, i, i);
    return;
  }
  constexpr int64_t kChunk = 4096;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for if (parallel_path(n))
  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    const int64_t begin = chunk * kChunk, end = std::min(n, begin + kChunk);
    int64_t coord[BroadcastPlan::kMaxDims];
    int64_t offset[3] = {0, 0, 0};
    int64_t rest = begin;
    for (int d = p.ndim - 1; d >= 0; --d) {
      coord[d] = rest % p.out_shape[d];
      rest /= p.out_shape[d];
      for (int k = 0; k < 3; ++k) offset[k] += coord[d] * p.strides[k][d];
    }
    for (int64_t i = begin; i < end; ++i) {
      f(i, offset[0], offset[1], offset[2]);
      for (int d = p.ndim - 1; d >= 0; --d) {  // odometer increment
        for (int k = 0; k < 3; ++k) offset[k] += p.strides[k][d];
        if (++coord[d] < p.out_shape[d]) break;
        for (int k = 0; k < 3; ++k) offset[k] -= p.strides[k][d] * p.out_shape[d];
        coord[d] = 0;
      }
    }
  }
}

}  // namespace

void CpuBackend::unary(UnaryOp op, DType dtype, const void* x_ptr, void* out_ptr, int64_t n, double a_value,
                       double b_value) {
  dispatch_float(dtype, "unary op", [&](auto zero) {
    using T = decltype(zero);
    const T* x = static_cast<const T*>(x_ptr);
    T* out = static_cast<T*>(out_ptr);
    const T a = static_cast<T>(a_value), b = static_cast<T>(b_value);
    // The switch is outside the loop, so each loop body is vectorisable.
    visit_unary(op, [&](auto kind) {
      using Op = decltype(kind);
#pragma omp parallel for if (parallel_path(n))
      for (int64_t i = 0; i < n; ++i) out[i] = Op::apply(x[i], a, b);
    });
  });
}

void CpuBackend::binary(BinaryOp op, DType dtype, const BroadcastPlan& plan, const void* a_ptr,
                        const void* b_ptr, void* out_ptr) {
  dispatch_float(dtype, "binary op", [&](auto zero) {
    using T = decltype(zero);
    const T* a = static_cast<const T*>(a_ptr);
    const T* b = static_cast<const T*>(b_ptr);
    T* out = static_cast<T*>(out_ptr);
    visit_binary(op, [&](auto kind) {
      using Op = decltype(kind);
      for_each_broadcast(plan, 2, [&](int64_t i, int64_t ia, int64_t ib, int64_t) { out[i] = Op::apply(a[ia], b[ib]); });
    });
  });
}

void CpuBackend::where(DType dtype, const BroadcastPlan& plan, const void* cond_ptr, const void* a_ptr,
                       const void* b_ptr, void* out_ptr) {
  dispatch_float(dtype, "where", [&](auto zero) {
    using T = decltype(zero);
    const T* cond = static_cast<const T*>(cond_ptr);
    const T* a = static_cast<const T*>(a_ptr);
    const T* b = static_cast<const T*>(b_ptr);
    T* out = static_cast<T*>(out_ptr);
    for_each_broadcast(plan, 3, [&](int64_t i, int64_t ic, int64_t ia, int64_t ib) {
      out[i] = cond[ic] != T(0) ? a[ia] : b[ib];
    });
  });
}

void CpuBackend::broadcast_copy(DType dtype, const BroadcastPlan& plan, const void* x_ptr, void* out_ptr) {
  dispatch_float(dtype, "expand", [&](auto zero) {
    using T = decltype(zero);
    const T* x = static_cast<const T*>(x_ptr);
    T* out = static_cast<T*>(out_ptr);
    for_each_broadcast(plan, 1, [&](int64_t i, int64_t ix, int64_t, int64_t) { out[i] = x[ix]; });
  });
}

}  // namespace idml::cpu
