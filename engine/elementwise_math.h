// The per-element math of the elementwise kernels and the Adam update,
// written once: inline functions compiled for the CPU loops (engine/cpu/)
// and, under nvcc, for the CUDA kernels (engine/cuda/). An op is one row of
// IDML_UNARY_OPS or IDML_BINARY_OPS; the enums and the dispatch follow.
#pragma once

#include <cmath>

#include "engine/adam_step.h"

#if defined(__CUDACC__)
#define IDML_HOST_DEVICE __host__ __device__
#else
#define IDML_HOST_DEVICE
#endif

// std:: on the host (the glibc functions the CPU results were made with),
// CUDA's overloads of the same name on the device.
#if defined(__CUDA_ARCH__)
#define IDML_MATH(f) ::f
#else
#define IDML_MATH(f) std::f
#endif

// X(name, value of element v with scalars a, b)
#define IDML_UNARY_OPS(X)                              \
  X(Neg, -v)                                           \
  X(Exp, IDML_MATH(exp)(v))                            \
  X(Log, IDML_MATH(log)(v))                            \
  X(Log1p, IDML_MATH(log1p)(v))                        \
  X(Sqrt, IDML_MATH(sqrt)(v))                          \
  X(Sigmoid, T(1) / (T(1) + IDML_MATH(exp)(-v)))       \
  X(Relu, v > T(0) ? v : T(0))                         \
  X(AddScalar, v + a)                                  \
  X(MulScalar, v * a)                                  \
  X(DivScalar, v / a)                                  \
  X(RsubScalar, a - v)                                 \
  X(Clamp, v < a ? a : (v > b ? b : v))                \
  X(InRange, T(v >= a && v <= b))                      \
  X(GreaterThan, T(v > a))

// X(name, value of elements x, y)
#define IDML_BINARY_OPS(X) \
  X(Add, x + y)            \
  X(Sub, x - y)            \
  X(Mul, x * y)            \
  X(Div, x / y)            \
  X(Equal, T(x == y))      \
  X(Greater, T(x > y))     \
  X(Less, T(x < y))        \
  X(ReluGrad, y > T(0) ? x : T(0))

namespace idml {

#define IDML_OP_ENUMERATOR(name, expr) name,
enum class UnaryOp { IDML_UNARY_OPS(IDML_OP_ENUMERATOR) };
enum class BinaryOp { IDML_BINARY_OPS(IDML_OP_ENUMERATOR) };
#undef IDML_OP_ENUMERATOR

// Unary<op>::apply(v, a, b) and Binary<op>::apply(x, y): one op known at
// compile time, for loops that switch once outside (vectorisable bodies).
template <UnaryOp Op> struct Unary;
template <BinaryOp Op> struct Binary;
#define IDML_UNARY_DEFINITION(name, expr)                                     \
  template <> struct Unary<UnaryOp::name> {                                   \
    template <typename T>                                                     \
    IDML_HOST_DEVICE static T apply(T v, T a, T b) {                          \
      (void)a;                                                                \
      (void)b;                                                                \
      return (expr);                                                          \
    }                                                                         \
  };
#define IDML_BINARY_DEFINITION(name, expr)                                    \
  template <> struct Binary<BinaryOp::name> {                                 \
    template <typename T>                                                     \
    IDML_HOST_DEVICE static T apply(T x, T y) { return (expr); }              \
  };
IDML_UNARY_OPS(IDML_UNARY_DEFINITION)
IDML_BINARY_OPS(IDML_BINARY_DEFINITION)
#undef IDML_UNARY_DEFINITION
#undef IDML_BINARY_DEFINITION

// visit_unary(op, f) calls f(Unary<op>{}) (host side, switch outside the loop).
template <typename F>
void visit_unary(UnaryOp op, F&& f) {
  switch (op) {
#define IDML_UNARY_VISIT(name, expr) \
  case UnaryOp::name: f(Unary<UnaryOp::name>{}); break;
    IDML_UNARY_OPS(IDML_UNARY_VISIT)
#undef IDML_UNARY_VISIT
  }
}
template <typename F>
void visit_binary(BinaryOp op, F&& f) {
  switch (op) {
#define IDML_BINARY_VISIT(name, expr) \
  case BinaryOp::name: f(Binary<BinaryOp::name>{}); break;
    IDML_BINARY_OPS(IDML_BINARY_VISIT)
#undef IDML_BINARY_VISIT
  }
}

// The op as a runtime switch per element (the CUDA kernels: the op is uniform
// across a launch, so the switch costs no divergence and one kernel per dtype
// keeps compile time low).
template <typename T>
IDML_HOST_DEVICE inline T apply_unary(UnaryOp op, T v, T a, T b) {
  switch (op) {
#define IDML_UNARY_CASE(name, expr) \
  case UnaryOp::name: return Unary<UnaryOp::name>::apply(v, a, b);
    IDML_UNARY_OPS(IDML_UNARY_CASE)
#undef IDML_UNARY_CASE
  }
  return v;
}
template <typename T>
IDML_HOST_DEVICE inline T apply_binary(BinaryOp op, T x, T y) {
  switch (op) {
#define IDML_BINARY_CASE(name, expr) \
  case BinaryOp::name: return Binary<BinaryOp::name>::apply(x, y);
    IDML_BINARY_OPS(IDML_BINARY_CASE)
#undef IDML_BINARY_CASE
  }
  return x;
}

// AdamStep's per-step constants in the element type (host side, once per tensor).
template <typename T>
struct AdamConstants {
  T beta1, one_minus_beta1, beta2, one_minus_beta2;
  T decay, decay_factor, sqrt_bias_correction2, eps, step_size;
  bool decay_param, decay_grad;  // AdamW's decoupled decay, Adam's L2 term

  static AdamConstants from(const AdamStep& s) {
    return {T(s.beta1),
            T(1.0 - s.beta1),
            T(s.beta2),
            T(1.0 - s.beta2),
            T(s.weight_decay),
            T(1.0 - s.lr * s.weight_decay),
            T(std::sqrt(s.bias_correction2)),
            T(s.eps),
            T(s.lr / s.bias_correction1),
            s.weight_decay != 0.0 && s.decoupled_weight_decay,
            s.weight_decay != 0.0 && !s.decoupled_weight_decay};
  }
};

// One element of the Adam / AdamW step (formula in engine/adam_step.h), in the
// op-by-op order, so the fused step equals the unfused one bit for bit.
template <typename T>
IDML_HOST_DEVICE inline void adam_update(const AdamConstants<T>& c, T& param, T grad, T& m, T& v) {
  T p = param, g = grad;
  if (c.decay_param) p = p * c.decay_factor;
  if (c.decay_grad) g = g + p * c.decay;
  const T mi = m * c.beta1 + g * c.one_minus_beta1;
  const T vi = v * c.beta2 + (g * g) * c.one_minus_beta2;
  const T denom = IDML_MATH(sqrt)(vi) / c.sqrt_bias_correction2 + c.eps;
  m = mi;
  v = vi;
  param = p - (mi / denom) * c.step_size;
}

}  // namespace idml
