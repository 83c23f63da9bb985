// Convolution ops: conv2d (geometry, checks, the fused epilogue of residual
// and ReLU, and the backward that calls only the kernels whose inputs want a
// gradient: a frozen weight costs no dW GEMM), and the fold of a frozen batch
// norm into its convolution: batch_norm_fold (scale and shift),
// scale_output_channels (the weight) and conv2d_frozen_batch_norm. Where the
// backend's convolution reads and writes its own layout
// (Backend::conv2d_keeps_own_layout; oneDNN's blocked one), x, the residual and
// the weight are passed as they are held and y keeps the layout the backend
// left it in (Tensor::layout(), engine/storage.h); the backward does the same
// with dy, dx and dw. Otherwise every operand is converted to plain here, by
// name. Inside a ConstantParameters scope the fold is made once and its weight
// converted once into the layout the convolution reads
// (engine/constant_parameters.h).
#include "engine/constant_parameters.h"
#include "engine/ops.h"
#include "engine/ops/op_utils.h"
#include "engine/precision.h"

namespace idml {

using namespace ops_detail;

namespace {

// How a backend's convolution takes its operands: as they are held (it reads
// its own layout in place) or converted to plain first.
enum class ConvOperands { plain, as_held };

ConvOperands conv_operands(Backend& be, DType dtype, const Conv2dGeometry& g) {
  return be.conv2d_keeps_own_layout(dtype, g) ? ConvOperands::as_held : ConvOperands::plain;
}

Tensor operand(const Tensor& t, ConvOperands how) { return how == ConvOperands::as_held ? t : to_plain(t); }

const StoredLayout* layout_of(const Tensor& t) { return t.defined() ? t.layout().get() : nullptr; }

Conv2dGeometry geometry_of(const Tensor& x, const Tensor& weight, Conv2dOptions o) {
  Conv2dGeometry g{x.size(0), x.size(1), x.size(2), x.size(3), weight.size(0), weight.size(2), weight.size(3),
                   o.stride, o.padding, o.dilation, 0, 0};
  g.out_height = (g.in_height + 2 * g.padding - g.dilation * (g.kernel_height - 1) - 1) / g.stride + 1;
  g.out_width = (g.in_width + 2 * g.padding - g.dilation * (g.kernel_width - 1) - 1) / g.stride + 1;
  return g;
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, Conv2dOptions o) {
  return conv2d(x, weight, bias, o, Conv2dEpilogue{});
}

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, Conv2dOptions o,
              const Conv2dEpilogue& epilogue) {
  const Tensor& residual = epilogue.residual;
  check_same("conv2d", {x, weight, bias, residual});
  check_floating("conv2d", x);
  check_dim("conv2d", x, 4, "input (N, C, H, W)");
  check_dim("conv2d", weight, 4, "weight (OC, C, KH, KW)");
  IDML_CHECK(x.size(1) == weight.size(1), "conv2d: input ", x.str(), " has ", x.size(1),
             " channels but weight ", weight.str(), " expects ", weight.size(1));
  IDML_CHECK(o.stride >= 1 && o.dilation >= 1 && o.padding >= 0, "conv2d: bad stride ", o.stride, ", padding ",
             o.padding, " or dilation ", o.dilation);
  if (bias.defined())
    IDML_CHECK(bias.dim() == 1 && bias.size(0) == weight.size(0), "conv2d: bias ", bias.str(),
               " does not match weight ", weight.str());
  IDML_CHECK(inference_precision() == InferencePrecision::Float32 || !grad_enabled() ||
                 !(x.requires_grad() || weight.requires_grad() || (bias.defined() && bias.requires_grad())),
             "conv2d: bf16 (--precision bf16) is for inference only, and this convolution would be differentiated");
  const Conv2dGeometry g = geometry_of(x, weight, o);
  IDML_CHECK(g.out_height > 0 && g.out_width > 0, "conv2d: input ", x.str(), " is smaller than the kernel ",
             weight.str(), " (padding ", o.padding, ", dilation ", o.dilation, ")");
  const Shape out_shape{g.batch, g.out_channels, g.out_height, g.out_width};
  if (residual.defined())
    IDML_CHECK(residual.shape() == out_shape, "conv2d: residual ", residual.str(), " does not match the output ",
               shape_str(out_shape));
  Tensor y = empty(out_shape, x.dtype(), x.device());
  Backend& backend = backend_of(x);
  const ConvOperands how = conv_operands(backend, x.dtype(), g);
  const Tensor xs = operand(x, how), ws = operand(weight, how);
  const Tensor rs = residual.defined() ? operand(residual, how) : Tensor();
  ConvLayouts layouts;
  layouts.x = layout_of(xs);
  layouts.residual = layout_of(rs);
  layouts.w = layout_of(ws);
  layouts.y_may_be_stored = how == ConvOperands::as_held;
  std::shared_ptr<const StoredLayout> y_layout = backend.conv2d_forward(
      x.dtype(), g, xs.stored_bytes().data, ws.stored_bytes().data,
      bias.defined() ? to_plain(bias).raw_data() : nullptr,
      {rs.defined() ? rs.stored_bytes().data : nullptr, epilogue.relu}, y.raw_data(), layouts);
  if (y_layout) y.set_stored_layout(std::move(y_layout));
  const bool relu = epilogue.relu;
  return record(y, "conv2d", {x, weight, bias, residual},
                [xd = x.detach(), wd = weight.detach(), yd = relu ? y.detach() : Tensor(), g](
                    const Tensor& dy_out, const std::vector<bool>& needs) {
                  // z = conv + bias + residual, y = relu(z): dz = dy where y > 0
                  const Tensor dy_any = yd.defined() ? relu_backward(dy_out, yd) : dy_out;
                  Tensor dx, dw, db, dr;
                  Backend& be = backend_of(dy_any);
                  const ConvOperands how = conv_operands(be, dy_any.dtype(), g);
                  const Tensor dy = operand(dy_any, how);
                  if (needs[0]) {
                    dx = empty(xd.shape(), dy.dtype(), dy.device());
                    const Tensor w = operand(wd, how);
                    ConvGradLayouts layouts;
                    layouts.dy = layout_of(dy);
                    layouts.w = layout_of(w);
                    layouts.dx_may_be_stored = how == ConvOperands::as_held;
                    std::shared_ptr<const StoredLayout> dx_layout = be.conv2d_backward_input(
                        dy.dtype(), g, dy.stored_bytes().data, w.stored_bytes().data, dx.raw_data(), layouts);
                    if (dx_layout) dx.set_stored_layout(std::move(dx_layout));
                  }
                  // db comes from the dW pass (one read of dy) when both are wanted
                  const bool db_with_dw = needs[1] && needs[2];
                  if (needs[1]) {
                    dw = empty(wd.shape(), dy.dtype(), dy.device());
                    if (db_with_dw) db = empty({g.out_channels}, dy.dtype(), dy.device());
                    const Tensor xs = operand(xd, how);
                    // dw may stay in the primitive's layout: the sum of a
                    // weight's gradients over its uses (the IDML step's two
                    // forwards) then runs on it, and its reader converts once
                    ConvGradLayouts layouts;
                    layouts.x = layout_of(xs);
                    layouts.dy = layout_of(dy);
                    layouts.dw_may_be_stored = how == ConvOperands::as_held;
                    std::shared_ptr<const StoredLayout> dw_layout =
                        be.conv2d_backward_weight(dy.dtype(), g, xs.stored_bytes().data, dy.stored_bytes().data,
                                                  dw.raw_data(), db_with_dw ? db.raw_data() : nullptr, layouts);
                    if (dw_layout) dw.set_stored_layout(std::move(dw_layout));
                  }
                  if (needs[2] && !db_with_dw) db = sum(dy, {0, 2, 3});
                  if (needs[3]) dr = dy;
                  return std::vector<Tensor>{dx, dw, db, dr};
                });
}

Tensor scale_output_channels(const Tensor& weight, const Tensor& scale) {
  check_same("scale_output_channels", {weight, scale});
  check_floating("scale_output_channels", weight);
  IDML_CHECK(weight.dim() >= 1 && scale.dim() == 1 && scale.size(0) == weight.size(0), "scale_output_channels: scale ",
             scale.str(), " does not match the output channels of weight ", weight.str());
  const int64_t c = weight.size(0);
  Shape per_channel(weight.dim(), 1);  // (OC, 1, 1, 1)
  per_channel[0] = c;
  Tensor out;
  {
    NoGradGuard own_backward;  // recorded below as one node
    out = mul(weight, scale.reshape(per_channel));
  }
  const auto backward = [wd = weight.detach(), sd = scale.detach(), per_channel, c](const Tensor& g_held,
                                                                                  const std::vector<bool>& needs) {
    const Tensor g = to_plain(g_held);  // dW' may come in a convolution's backward-weights layout: converted once
    Tensor dw, dscale;
    if (needs[0]) dw = mul(g, sd.reshape(per_channel));              // scale dW'
    if (needs[1]) dscale = sum(mul(g, wd).reshape({c, -1}), {1});  // sum over the filter of dW' W
    return std::vector<Tensor>{dw, dscale};
  };
  return record(out, "scale_output_channels", {weight, scale}, backward);
}

BatchNormFold batch_norm_fold(const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                              const Tensor& running_var, double eps) {
  const int64_t c = running_var.defined() && running_var.dim() == 1 ? running_var.size(0) : -1;
  for (const Tensor* t : {&gamma, &beta, &running_mean, &running_var})
    IDML_CHECK(t->defined() && t->dim() == 1 && t->size(0) == c, "batch_norm_fold: per-channel tensor ",
               t->defined() ? t->str() : std::string("(undefined)"), " does not match running_var ",
               running_var.defined() ? running_var.str() : std::string("(undefined)"));
  Tensor invstd;
  {
    NoGradGuard no_grad;  // running statistics are constants
    invstd = div(ones({c}, running_var.dtype(), running_var.device()), sqrt(add_scalar(running_var.detach(), eps)));
  }
  const Tensor a = mul(gamma, invstd);                   // (OC)
  return {a, sub(beta, mul(a, running_mean.detach()))};  // a, beta - a mean
}

Tensor conv2d_frozen_batch_norm(const Tensor& x, const Tensor& weight, const Tensor& gamma, const Tensor& beta,
                                const Tensor& running_mean, const Tensor& running_var, double eps,
                                Conv2dOptions options, const Conv2dEpilogue& epilogue) {
  check_dim("conv2d_frozen_batch_norm", weight, 4, "weight (OC, C, KH, KW)");
  const int64_t c = weight.size(0);
  for (const Tensor* t : {&gamma, &beta, &running_mean, &running_var})
    IDML_CHECK(t->defined() && t->dim() == 1 && t->size(0) == c, "conv2d_frozen_batch_norm: per-channel tensor ",
               t->defined() ? t->str() : std::string("(undefined)"), " does not match weight ", weight.str());
  const auto fold = [&]() -> ConstantParameters::FoldedConv {
    const BatchNormFold bn = batch_norm_fold(gamma, beta, running_mean, running_var, eps);
    return {scale_output_channels(weight, bn.scale), bn.shift};  // a W, beta - a mean
  };
  ConstantParameters* constants = ConstantParameters::active();
  if (!constants) {
    const ConstantParameters::FoldedConv f = fold();
    return conv2d(x, f.weight, f.shift, options, epilogue);
  }
  // Constant parameters: folded once for the scope, and the folded weight
  // converted once into the layout the backend's convolution reads it in, so
  // that the forwards of the scope do not reorder it. In training the
  // conversion is a node of the graph: the gradients of the scope's forwards
  // meet there and pass through to the fold's backward once.
  const ConstantParameters::FoldedConv& f =
      constants->folded({weight, gamma, beta, running_mean, running_var}, eps, [&] {
        ConstantParameters::FoldedConv made = fold();
        const void* residual = epilogue.residual.defined() ? epilogue.residual.stored_bytes().data : nullptr;
        made.weight = to_layout(made.weight, backend_of(x).conv2d_weight_layout(
                                                 made.weight.dtype(), geometry_of(x, made.weight, options),
                                                 made.shift.raw_data(), {residual, epilogue.relu}));
        return made;
      });
  return conv2d(x, f.weight, f.shift, options, epilogue);
}

}  // namespace idml
