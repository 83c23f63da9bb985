// Elementwise kernels: unary maps, broadcast binary ops, where, broadcast copy. The
// per-element math is engine/elementwise_math.h, shared with the CUDA kernels.
#include <algorithm>

#include "engine/cpu/cpu_backend.h"

namespace idml::cpu {

namespace {

// One run of the innermost dim: f(i + j, o0 + S0 j, o1 + S1 j, o2 + S2 j).
// With the strides compile-time 0 or 1 (the usual broadcasts) the loop
// vectorises; S < 0 means "runtime stride s[k]".
template <int S0, int S1, int S2, typename F>
void broadcast_run(F& f, int64_t n, int64_t i, const int64_t* o, const int64_t* s) {
  const int64_t s0 = S0 < 0 ? s[0] : S0, s1 = S1 < 0 ? s[1] : S1, s2 = S2 < 0 ? s[2] : S2;
  for (int64_t j = 0; j < n; ++j) f(i + j, o[0] + s0 * j, o[1] + s1 * j, o[2] + s2 * j);
}

// The run for operands 0 and 1's innermost strides (operand 2, used by
// `where` only, takes the runtime path).
template <typename F>
void broadcast_row(F& f, int64_t n, int64_t i, const int64_t* o, const int64_t* s) {
  const auto unit_or_zero = [](int64_t v) { return v == 0 || v == 1; };
  if (!unit_or_zero(s[0]) || !unit_or_zero(s[1]) || s[2] != 0) return broadcast_run<-1, -1, -1>(f, n, i, o, s);
  if (s[0] == 1 && s[1] == 1) return broadcast_run<1, 1, 0>(f, n, i, o, s);
  if (s[0] == 1) return broadcast_run<1, 0, 0>(f, n, i, o, s);
  if (s[1] == 1) return broadcast_run<0, 1, 0>(f, n, i, o, s);
  broadcast_run<0, 0, 0>(f, n, i, o, s);
}

// Calls f(i, offset0, offset1, offset2) for every flat output index i, with
// each operand's element offset under the plan's strides: row by row of the
// plan's innermost dim (broadcast_plan makes it as long as it can), rows in
// parallel.
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
  if (n == 0) return;
  const int last = p.ndim - 1;
  const int64_t inner = p.out_shape[last], rows = n / inner;
  const int64_t step[3] = {p.strides[0][last], p.strides[1][last], p.strides[2][last]};
  const int64_t rows_per_chunk = std::max<int64_t>(1, 4096 / inner);
  const int64_t chunks = (rows + rows_per_chunk - 1) / rows_per_chunk;
#pragma omp parallel for if (parallel_path(n))
  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    const int64_t begin = chunk * rows_per_chunk, end = std::min(rows, begin + rows_per_chunk);
    int64_t coord[BroadcastPlan::kMaxDims];
    int64_t offset[3] = {0, 0, 0};
    int64_t rest = begin;
    for (int d = last - 1; d >= 0; --d) {
      coord[d] = rest % p.out_shape[d];
      rest /= p.out_shape[d];
      for (int k = 0; k < 3; ++k) offset[k] += coord[d] * p.strides[k][d];
    }
    for (int64_t r = begin; r < end; ++r) {
      broadcast_row(f, inner, r * inner, offset, step);
      for (int d = last - 1; d >= 0; --d) {  // odometer increment over the outer dims
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
