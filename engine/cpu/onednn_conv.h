// conv2d on the CPU through oneDNN (float32): forward, backward-data and
// backward-weights. oneDNN picks the ISA (AVX2, AVX-512, AMX) when it runs and
// its preferred blocked layout for each shape; activations stay in that layout
// between convolutions (ActivationLayout, conv_choices.h), and so do the
// gradients between their backward passes (dW included); weights are
// reordered at the call, except those held in the primitive's layout (the
// weights of a ConstantParameters scope, engine/constant_parameters.h).
// Primitives are created once per (shape, bias, epilogue, thread count) and
// cached. conv.cpp chooses between this and the im2col + GEMM path
// (im2col_conv.h); backward-weights on maps of at most 2 x 2 goes to the
// latter (backward_weights_by_gemm).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/backend.h"
#include "engine/cpu/conv_choices.h"
#include "engine/storage.h"

namespace idml::cpu::onednn {

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

// Where a pass leaves its output: plain NCHW / OIHW, or in the layout its
// primitive computes in, which the pass returns, where the Blocked policy
// (conv_choices.h) is on and that layout takes no more bytes.
enum class OutputLayout { plain, primitive };

// What runs after conv + bias, fused into the primitive: y = relu?(conv + bias + residual).
struct ConvEpilogue {
  Held residual;  // (N, OC, OH, OW), or data null
  bool relu = false;
};

// x (N, C, H, W), w (OC, C, KH, KW), bias (OC) or null, y (N, OC, OH, OW);
// scratch for reordered operands comes from `be` (the CPU backend). Inside a
// ReducedPrecisionInference scope of bf16 (engine/precision.h) x and w are
// rounded to bf16 and the products summed in float32. Returns the layout y
// was left in (OutputLayout; null: NCHW). A weight held in another layout
// than the primitive's is reordered at the call, as a plain one is.
std::shared_ptr<const StoredLayout> conv2d_forward(Backend& be, const Conv2dGeometry& g, Held x, Held w,
                                                   const float* bias, const ConvEpilogue& epilogue, float* y,
                                                   OutputLayout y_layout);
// The layout the forward primitive for (g, bias or null, epilogue) reads its
// weight in; null when that is OIHW or takes more bytes (channels padded), or
// the primitive reads bf16.
std::shared_ptr<const StoredLayout> conv2d_weight_layout(const Conv2dGeometry& g, const float* bias,
                                                         const ConvEpilogue& epilogue);
// Whether oneDNN has a bf16 convolution (not its slow reference one) for this
// CPU; else false and the reason in why_not.
bool bf16_convolutions_supported(std::string* why_not);

// dy and w as held; returns the layout dx was left in (null: NCHW).
std::shared_ptr<const StoredLayout> conv2d_backward_input(Backend& be, const Conv2dGeometry& g, Held dy, Held w,
                                                          float* dx, OutputLayout dx_layout);
// Writes the plain (NCHW, OIHW) values of an operand of `dims` held as `a` to `plain`.
void to_plain(Held a, const std::vector<int64_t>& dims, float* plain);

// Whether backward-weights goes to the im2col + GEMM path (im2col_conv.h) rather
// than oneDNN's primitive: on output maps of at most 2 x 2 pixels (ResNet-18's
// last stage at 64 px), where oneDNN 2.6's avx512 backward-weights kernel
// runs at a third of its forward's rate and one GEMM over the whole batch
// (OC x N OH OW times N OH OW x C KH KW) at the forward's.
bool backward_weights_by_gemm(const Conv2dGeometry& g);

// dw, and db (the bias gradient, computed in the same pass) unless null;
// returns the layout dw was left in (null: OIHW).
std::shared_ptr<const StoredLayout> conv2d_backward_weight(Backend& be, const Conv2dGeometry& g, Held x, Held dy,
                                                           float* dw, float* db, OutputLayout dw_layout);

}  // namespace idml::cpu::onednn
