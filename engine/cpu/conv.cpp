// The CPU backend's conv2d: which implementation runs a convolution, and the
// layouts its operands may be in. float32 convolutions with no empty
// dimension go to oneDNN (onednn_conv.h) unless IDML_CPU_CONV=im2col
// (conv_choices.h); the rest, and backward-weights on maps of at most 2 x 2,
// go to im2col + GEMM (im2col_conv.h), which reads and writes plain NCHW only.
// Where oneDNN keeps activations in its own layout (the Blocked policy), this
// file passes them through as they are held, and converts them to NCHW where
// the GEMM path takes over.
#include "engine/cpu/conv_choices.h"
#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/im2col_conv.h"
#include "engine/cpu/onednn_conv.h"
#include "engine/cpu/scratch.h"

namespace idml::cpu {

namespace {

bool use_onednn(DType dtype, const Conv2dGeometry& g) {
  return dtype == DType::Float32 && conv_implementation() == ConvImplementation::OneDnn && g.batch > 0 &&
         g.in_channels > 0 && g.out_channels > 0;
}

const float* f32(const void* p) { return static_cast<const float*>(p); }

onednn::OutputLayout output_layout(bool may_be_stored) {
  return may_be_stored ? onednn::OutputLayout::primitive : onednn::OutputLayout::plain;
}

}  // namespace

bool CpuBackend::conv2d_keeps_own_layout(DType dtype, const Conv2dGeometry& g) const {
  return use_onednn(dtype, g) && onednn::activation_layout() == onednn::ActivationLayout::Blocked;
}

std::shared_ptr<const StoredLayout> CpuBackend::conv2d_forward(DType dtype, const Conv2dGeometry& g, const void* x,
                                                               const void* w, const void* bias,
                                                               const ConvEpilogue& epilogue, void* y,
                                                               const ConvLayouts& layouts) {
  if (use_onednn(dtype, g))
    return onednn::conv2d_forward(*this, g, {f32(x), layouts.x}, {f32(w), layouts.w}, f32(bias),
                                  {{f32(epilogue.residual), layouts.residual}, epilogue.relu}, static_cast<float*>(y),
                                  output_layout(layouts.y_may_be_stored));
  IDML_CHECK(!layouts.x && !layouts.residual && !layouts.w,
             "conv2d: the im2col path got an operand in oneDNN's layout");
  im2col_conv::forward(*this, dtype, g, x, w, bias, epilogue, y);
  return nullptr;
}

std::shared_ptr<const StoredLayout> CpuBackend::conv2d_weight_layout(DType dtype, const Conv2dGeometry& g,
                                                                     const void* bias,
                                                                     const ConvEpilogue& epilogue) const {
  if (!conv2d_keeps_own_layout(dtype, g)) return nullptr;  // the Plain policy reorders every operand at the call
  return onednn::conv2d_weight_layout(g, f32(bias), {{f32(epilogue.residual), nullptr}, epilogue.relu});
}

std::shared_ptr<const StoredLayout> CpuBackend::conv2d_backward_input(DType dtype, const Conv2dGeometry& g,
                                                                      const void* dy, const void* w, void* dx,
                                                                      const ConvGradLayouts& layouts) {
  if (use_onednn(dtype, g))
    return onednn::conv2d_backward_input(*this, g, {f32(dy), layouts.dy}, {f32(w), layouts.w},
                                         static_cast<float*>(dx), output_layout(layouts.dx_may_be_stored));
  IDML_CHECK(!layouts.dy && !layouts.w, "conv2d backward: the im2col path got an operand in oneDNN's layout");
  im2col_conv::backward_input(*this, dtype, g, dy, w, dx);
  return nullptr;
}

std::shared_ptr<const StoredLayout> CpuBackend::conv2d_backward_weight(DType dtype, const Conv2dGeometry& g,
                                                                       const void* x, const void* dy, void* dw,
                                                                       void* db, const ConvGradLayouts& layouts) {
  const bool onednn_selected = use_onednn(dtype, g);
  const bool by_gemm = onednn_selected && onednn::backward_weights_by_gemm(g);
  if (onednn_selected && !by_gemm)
    return onednn::conv2d_backward_weight(*this, g, {f32(x), layouts.x}, {f32(dy), layouts.dy},
                                          static_cast<float*>(dw), static_cast<float*>(db),
                                          output_layout(layouts.dw_may_be_stored));
  // The GEMM path reads NCHW: operands held in oneDNN's layout are converted into scratch
  Scratch<float> x_plain(*this, by_gemm && layouts.x ? g.batch * g.in_channels * g.in_height * g.in_width : 0),
      dy_plain(*this, by_gemm && layouts.dy ? g.batch * g.out_channels * g.out_height * g.out_width : 0);
  if (x_plain.data()) {
    onednn::to_plain({f32(x), layouts.x}, {g.batch, g.in_channels, g.in_height, g.in_width}, x_plain.data());
    x = x_plain.data();
  }
  if (dy_plain.data()) {
    onednn::to_plain({f32(dy), layouts.dy}, {g.batch, g.out_channels, g.out_height, g.out_width}, dy_plain.data());
    dy = dy_plain.data();
  }
  IDML_CHECK(by_gemm || (!layouts.x && !layouts.dy),
             "conv2d backward: the im2col path got an operand in oneDNN's layout");
  im2col_conv::backward_weight(*this, dtype, g, x, dy, dw, db);
  return nullptr;
}

}  // namespace idml::cpu
