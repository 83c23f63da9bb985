// The process-wide choices of the CPU convolution, each read once from an
// environment variable (an unknown value is an error naming the variable and
// the values it takes) and settable for a scope in tests and benchmarks:
//   IDML_CPU_CONV=onednn|im2col         which implementation runs a float32
//                                       convolution (conv.cpp dispatches);
//   IDML_CPU_CONV_LAYOUT=blocked|plain  the layout oneDNN leaves activations
//                                       and gradients in (onednn_conv.cpp).
// docs/ARCHITECTURE.md lists them with every other switch, cache and scope
// that changes what an op does; config.json of a run records their values.
#pragma once

namespace idml::cpu {

// oneDNN's primitives (default), or the im2col + GEMM path (im2col_conv.h).
// float64 always takes the im2col path: oneDNN has no f64 convolutions.
enum class ConvImplementation { Im2col, OneDnn };
ConvImplementation conv_implementation();
void set_conv_implementation(ConvImplementation implementation);
const char* conv_implementation_name(ConvImplementation implementation);  // "im2col", "onednn"

// Sets a process-wide choice for a scope (tests, benchmarks).
template <typename T, T (*Get)(), void (*Set)(T)>
class ScopedChoice {
 public:
  explicit ScopedChoice(T value) : saved_(Get()) { Set(value); }
  ~ScopedChoice() { Set(saved_); }
  ScopedChoice(const ScopedChoice&) = delete;
  ScopedChoice& operator=(const ScopedChoice&) = delete;

 private:
  T saved_;
};
using ScopedConvImplementation = ScopedChoice<ConvImplementation, conv_implementation, set_conv_implementation>;

namespace onednn {

// The layout policy for activations between oneDNN convolutions:
//   Blocked (default): a convolution leaves its output in the layout its
//     primitive computes in (nChw16c with AVX-512, nChw8c with AVX2) when that
//     takes no more bytes than NCHW, and the output tensor says so
//     (Tensor::layout(), engine/storage.h); the next convolution reads it as
//     it is. Any other op converts it to NCHW by name (to_plain,
//     engine/ops.h), except an elementwise op whose operands all share the
//     layout, and max pooling, which read and keep it. The backward passes do the same with dy and dx,
//     so a gradient stays blocked through the ReLU backward and the residual's
//     gradient sum.
//   Plain: NCHW in and out of every convolution, reordered at each call.
enum class ActivationLayout { Plain, Blocked };
ActivationLayout activation_layout();
void set_activation_layout(ActivationLayout layout);
const char* activation_layout_name(ActivationLayout layout);  // "plain", "blocked"
using ScopedActivationLayout = ScopedChoice<ActivationLayout, activation_layout, set_activation_layout>;

}  // namespace onednn
}  // namespace idml::cpu
