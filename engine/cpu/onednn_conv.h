// conv2d on the CPU through oneDNN (float32): forward, backward-data and
// backward-weights. oneDNN picks the ISA (AVX2, AVX-512, AMX) when it runs and
// its preferred blocked layout for each shape; activations stay in that layout
// between convolutions (ActivationLayout), and so do the gradients between
// their backward passes (dW included); weights are reordered at the call,
// except those of a ConstantParameters scope (engine/constant_parameters.h),
// which are put into the primitive's layout once (conv2d_hold_weight).
// Backward-weights on maps of at most 2 x 2 goes to conv.cpp's GEMM path
// (backward_weights_by_gemm). Primitives are created once
// per (shape, bias, epilogue, thread count) and cached. The im2col + GEMM
// code of conv.cpp is the reference beside it; which one runs is chosen by
// conv_implementation().
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/backend.h"
#include "engine/storage.h"

namespace idml::cpu {

enum class ConvImplementation { Reference, OneDnn };

// The conv2d path of the CPU backend for float32: IDML_CPU_CONV=reference|onednn
// (default onednn), or set_conv_implementation (tests). float64 always takes
// the reference path (oneDNN has no f64 convolutions).
ConvImplementation conv_implementation();
void set_conv_implementation(ConvImplementation implementation);

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
//     takes no more bytes than NCHW; the next convolution reads it as it is,
//     and any other op converts it to NCHW on first access (engine/storage.h),
//     except an elementwise op whose operands all share the layout. The
//     backward passes do the same with dy and dx, so a gradient stays blocked
//     through the ReLU backward and the residual's gradient sum.
//     Max pooling reads and writes the layout too. Reorders happen only at
//     the network's edges and where another op (global pooling, an unfolded
//     batch norm) reads the activation.
//   Plain: NCHW in and out of every convolution, reordered at each call.
// IDML_CPU_CONV_LAYOUT=blocked|plain, or set_activation_layout (tests, A/B runs).
enum class ActivationLayout { Plain, Blocked };
ActivationLayout activation_layout();
void set_activation_layout(ActivationLayout layout);
using ScopedActivationLayout = ScopedChoice<ActivationLayout, activation_layout, set_activation_layout>;

// Reorders of activations (inputs, outputs, residuals, gradients; not
// weights) since the process started: what the layout policy saves.
int64_t activation_reorders();

// An operand (an activation, a gradient, a constant weight) as the caller
// holds it: plain NCHW / OIHW (layout null) or in the layout a primitive left
// it in.
struct Held {
  const float* data = nullptr;
  const StoredLayout* layout = nullptr;
};

// What runs after conv + bias, fused into the primitive: y = relu?(conv + bias + residual).
struct ConvEpilogue {
  Held residual;  // (N, OC, OH, OW), or data null
  bool relu = false;
};

// x (N, C, H, W), w (OC, C, KH, KW), bias (OC) or null, y (N, OC, OH, OW);
// scratch for reordered operands comes from `be` (the CPU backend). Inside a
// ReducedPrecisionInference scope of bf16 (engine/precision.h) x and w are
// rounded to bf16 and the products summed in float32. With y_may_be_stored
// and the Blocked policy, y may be left in the primitive's layout, which is
// returned (null: y is NCHW). A weight held in another layout than the
// primitive's is reordered at the call, as a plain one is.
std::shared_ptr<const StoredLayout> conv2d_forward(Backend& be, const Conv2dGeometry& g, Held x, Held w,
                                                   const float* bias, const ConvEpilogue& epilogue, float* y,
                                                   bool y_may_be_stored);
// A constant weight w (OIHW) written to `held` in the layout the forward
// primitive for (g, bias, epilogue) reads it in, which is returned; null when
// that is OIHW or takes more bytes (channels padded), or the primitive reads
// bf16 (then `held` is untouched).
std::shared_ptr<const StoredLayout> conv2d_hold_weight(const Conv2dGeometry& g, bool bias,
                                                       const ConvEpilogue& epilogue, const float* w, float* held);
// Whether oneDNN has a bf16 convolution (not its slow reference one) for this
// CPU; else false and the reason in why_not.
bool bf16_convolutions_supported(std::string* why_not);

// dy and w as held; with dx_may_be_stored and the Blocked policy, dx may be
// left in the primitive's layout, which is returned (null: dx is NCHW).
std::shared_ptr<const StoredLayout> conv2d_backward_input(Backend& be, const Conv2dGeometry& g, Held dy, Held w,
                                                          float* dx, bool dx_may_be_stored);
// Writes the plain (NCHW, OIHW) values of an operand of `dims` held as `a` to `plain`.
void to_plain(Held a, const std::vector<int64_t>& dims, float* plain);

// Whether backward-weights goes to the im2col + GEMM path (conv.cpp) rather
// than oneDNN's primitive: on output maps of at most 2 x 2 pixels (ResNet-18's
// last stage at 64 px), where oneDNN 2.6's avx512 backward-weights kernel
// runs at a third of its forward's rate and one GEMM over the whole batch
// (OC x N OH OW times N OH OW x C KH KW) at the forward's.
bool backward_weights_by_gemm(const Conv2dGeometry& g);

// dw, and db (the bias gradient, computed in the same pass) unless null; with
// dw_may_be_stored and the Blocked policy, dw may be left in the primitive's
// layout, which is returned (null: dw is OIHW).
std::shared_ptr<const StoredLayout> conv2d_backward_weight(Backend& be, const Conv2dGeometry& g, Held x, Held dy,
                                                           float* dw, float* db, bool dw_may_be_stored);

}  // namespace onednn
}  // namespace idml::cpu
