// Elementwise kernels: unary maps, broadcast binary ops, where, broadcast copy.
#include <cmath>

#include "engine/cpu/cpu_backend.h"

namespace idml::cpu {

namespace {

template <typename T>
T pow_scalar(T x, T e) {
  // PyTorch's special cases, so results match bit for bit.
  if (e == T(2)) return x * x;
  if (e == T(3)) return x * x * x;
  if (e == T(0.5)) return std::sqrt(x);
  if (e == T(-1)) return T(1) / x;
  if (e == T(-2)) return T(1) / (x * x);
  return std::pow(x, e);
}

template <typename T>
void unary_loop(UnaryOp op, const T* x, T* out, int64_t n, T a, T b) {
  // One switch outside the loop; each loop body is vectorisable.
#define IDML_UNARY(EXPR)                                     \
  _Pragma("omp parallel for if (n > kParallelGrain)")        \
  for (int64_t i = 0; i < n; ++i) {                          \
    const T v = x[i];                                        \
    out[i] = (EXPR);                                         \
  }                                                          \
  break;
  switch (op) {
    case UnaryOp::Neg: IDML_UNARY(-v)
    case UnaryOp::Exp: IDML_UNARY(std::exp(v))
    case UnaryOp::Log: IDML_UNARY(std::log(v))
    case UnaryOp::Log1p: IDML_UNARY(std::log1p(v))
    case UnaryOp::Sqrt: IDML_UNARY(std::sqrt(v))
    case UnaryOp::Abs: IDML_UNARY(std::abs(v))
    case UnaryOp::Sign: IDML_UNARY(T((v > T(0)) - (v < T(0))))
    case UnaryOp::Relu: IDML_UNARY(v > T(0) ? v : T(0))
    case UnaryOp::AddScalar: IDML_UNARY(v + a)
    case UnaryOp::MulScalar: IDML_UNARY(v * a)
    case UnaryOp::DivScalar: IDML_UNARY(v / a)
    case UnaryOp::RsubScalar: IDML_UNARY(a - v)
    case UnaryOp::PowScalar: IDML_UNARY(pow_scalar(v, a))
    case UnaryOp::Clamp: IDML_UNARY(v < a ? a : (v > b ? b : v))
    case UnaryOp::InRange: IDML_UNARY(T(v >= a && v <= b))
    case UnaryOp::GreaterThan: IDML_UNARY(T(v > a))
  }
#undef IDML_UNARY
}

// Calls f(i, offset0, offset1, offset2) for every flat output index i, with
// each operand's element offset under the plan's strides.
template <typename F>
void for_each_broadcast(const BroadcastPlan& p, int operands, F f) {
  bool all_contiguous = true;
  for (int k = 0; k < operands; ++k) all_contiguous = all_contiguous && p.contiguous[k];
  const int64_t n = p.numel;
  if (all_contiguous) {
#pragma omp parallel for if (n > kParallelGrain)
    for (int64_t i = 0; i < n; ++i) f(i, i, i, i);
    return;
  }
  constexpr int64_t kChunk = 4096;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for if (n > kParallelGrain)
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

template <typename T>
T lerp(T a, T b, T w) {  // PyTorch: exact at both ends
  return std::abs(w) < T(0.5) ? a + w * (b - a) : b - (b - a) * (T(1) - w);
}

}  // namespace

void CpuBackend::unary(UnaryOp op, DType dtype, const void* x, void* out, int64_t n, double a, double b) {
  dispatch_float(dtype, "unary op", [&](auto zero) {
    using T = decltype(zero);
    unary_loop<T>(op, static_cast<const T*>(x), static_cast<T*>(out), n, static_cast<T>(a), static_cast<T>(b));
  });
}

void CpuBackend::binary(BinaryOp op, DType dtype, const BroadcastPlan& plan, const void* a_ptr,
                        const void* b_ptr, void* out_ptr, double scalar) {
  dispatch_float(dtype, "binary op", [&](auto zero) {
    using T = decltype(zero);
    const T* a = static_cast<const T*>(a_ptr);
    const T* b = static_cast<const T*>(b_ptr);
    T* out = static_cast<T*>(out_ptr);
    const T w = static_cast<T>(scalar);
#define IDML_BINARY(EXPR)                                                              \
  for_each_broadcast(plan, 2, [&](int64_t i, int64_t ia, int64_t ib, int64_t) {        \
    const T x = a[ia], y = b[ib];                                                      \
    out[i] = (EXPR);                                                                   \
  });                                                                                  \
  break;
    switch (op) {
      case BinaryOp::Add: IDML_BINARY(x + y)
      case BinaryOp::Sub: IDML_BINARY(x - y)
      case BinaryOp::Mul: IDML_BINARY(x * y)
      case BinaryOp::Div: IDML_BINARY(x / y)
      case BinaryOp::Maximum: IDML_BINARY(x > y ? x : y)
      case BinaryOp::Equal: IDML_BINARY(T(x == y))
      case BinaryOp::Greater: IDML_BINARY(T(x > y))
      case BinaryOp::Less: IDML_BINARY(T(x < y))
      case BinaryOp::Lerp: IDML_BINARY(lerp(x, y, w))
    }
#undef IDML_BINARY
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
