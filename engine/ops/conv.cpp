// conv2d front-end: geometry, checks, the fused epilogue (residual, ReLU), the
// folded frozen batch norm, and the backward that calls only the kernels whose
// inputs want a gradient (a frozen weight costs no dW GEMM). Where the backend
// keeps activations in its own layout, x and the residual are passed as stored
// and y is tagged with the layout the backend left it in (engine/storage.h);
// the backward passes dy, x and the weight as stored and tags dx and dw the
// same way. Inside a ConstantParameters scope the fold is made once and its
// weight held in the backend's layout (engine/constant_parameters.h).
#include "engine/constant_parameters.h"
#include "engine/ops.h"
#include "engine/ops/op_utils.h"
#include "engine/precision.h"

namespace idml {

using namespace ops_detail;

namespace {
// x as stored when the backend reads its own layout for this convolution, else plain.
Tensor::StoredBytes stored_or_plain(const Tensor& x, bool own_layout) {
  return own_layout ? x.stored_bytes() : Tensor::StoredBytes{x.raw_data(), nullptr};
}
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
  const bool own_layout = backend.conv2d_keeps_own_layout(x.dtype(), g);
  const Tensor::StoredBytes xs = stored_or_plain(x, own_layout);
  const Tensor::StoredBytes rs = residual.defined() ? stored_or_plain(residual, own_layout) : Tensor::StoredBytes{};
  const Tensor::StoredBytes ws = stored_or_plain(weight, own_layout);
  std::shared_ptr<const StoredLayout> y_layout = backend.conv2d_forward(
      x.dtype(), g, xs.data, ws.data, bias.defined() ? bias.raw_data() : nullptr, {rs.data, epilogue.relu},
      y.raw_data(), {xs.layout.get(), rs.layout.get(), ws.layout.get(), own_layout});
  if (y_layout) y.set_stored_layout(std::move(y_layout));
  const bool relu = epilogue.relu;
  return record(y, "conv2d", {x, weight, bias, residual},
                [xd = x.detach(), wd = weight.detach(), yd = relu ? y.detach() : Tensor(), g](
                    const Tensor& dy_out, const std::vector<bool>& needs) {
                  // z = conv + bias + residual, y = relu(z): dz = dy where y > 0
                  const Tensor dy = yd.defined() ? relu_backward(dy_out, yd) : dy_out;
                  Tensor dx, dw, db, dr;
                  Backend& be = backend_of(dy);
                  const bool own = be.conv2d_keeps_own_layout(dy.dtype(), g);
                  const Tensor::StoredBytes dys = stored_or_plain(dy, own);
                  if (needs[0]) {
                    dx = empty(xd.shape(), dy.dtype(), dy.device());
                    const Tensor::StoredBytes ws = stored_or_plain(wd, own);
                    std::shared_ptr<const StoredLayout> dx_layout =
                        be.conv2d_backward_input(dy.dtype(), g, dys.data, ws.data, dx.raw_data(),
                                                 {nullptr, dys.layout.get(), ws.layout.get(), own, false});
                    if (dx_layout) dx.set_stored_layout(std::move(dx_layout));
                  }
                  // db comes from the dW pass (one read of dy) when both are wanted
                  const bool db_with_dw = needs[1] && needs[2];
                  if (needs[1]) {
                    dw = empty(wd.shape(), dy.dtype(), dy.device());
                    if (db_with_dw) db = empty({g.out_channels}, dy.dtype(), dy.device());
                    const Tensor::StoredBytes xs = stored_or_plain(xd, own);
                    // dw may stay in the primitive's layout: the sum of a
                    // weight's gradients over its uses (the IDML step's two
                    // forwards) then runs on it, and its reader converts once
                    std::shared_ptr<const StoredLayout> dw_layout = be.conv2d_backward_weight(
                        dy.dtype(), g, xs.data, dys.data, dw.raw_data(), db_with_dw ? db.raw_data() : nullptr,
                        {xs.layout.get(), dys.layout.get(), nullptr, false, own});
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
  const auto backward = [wd = weight.detach(), sd = scale.detach(), per_channel, c](const Tensor& g,
                                                                                  const std::vector<bool>& needs) {
    Tensor dw, dscale;
    if (needs[0]) dw = mul(g, sd.reshape(per_channel));              // scale dW'
    if (needs[1]) dscale = sum(mul(g, wd).reshape({c, -1}), {1});  // sum over the filter of dW' W
    return std::vector<Tensor>{dw, dscale};
  };
  return record(out, "scale_output_channels", {weight, scale}, backward);
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
    Tensor invstd;
    {
      NoGradGuard no_grad;  // running statistics are constants
      invstd = div(ones({c}, running_var.dtype(), running_var.device()),
                   sqrt(add_scalar(running_var.detach(), eps)));
    }
    const Tensor a = mul(gamma, invstd);  // (OC)
    return {scale_output_channels(weight, a), sub(beta, mul(a, running_mean.detach()))};  // a W, beta - a mean
  };
  ConstantParameters* constants = ConstantParameters::active();
  if (!constants) {
    const ConstantParameters::FoldedConv f = fold();
    return conv2d(x, f.weight, f.shift, options, epilogue);
  }
  // Constant parameters: folded once for the scope, and the folded weight
  // held in the layout the backend's convolution reads it in, so that the
  // forwards of the scope do not reorder it. In training the fold's own
  // output is re-laid in place (it stays the autograd graph's node; only the
  // convolutions read it, and backward-data reads it as held).
  const ConstantParameters::FoldedConv& f =
      constants->folded({weight, gamma, beta, running_mean, running_var}, eps, [&] {
        ConstantParameters::FoldedConv made = fold();
        Backend& be = backend_of(x);
        Tensor held = empty(made.weight.shape(), made.weight.dtype(), made.weight.device());
        const Tensor::StoredBytes rs = epilogue.residual.defined() ? epilogue.residual.stored_bytes()
                                                                    : Tensor::StoredBytes{};
        std::shared_ptr<const StoredLayout> layout =
            be.conv2d_hold_weight(made.weight.dtype(), geometry_of(x, made.weight, options), true,
                                  {rs.data, epilogue.relu}, made.weight.raw_data(), held.raw_data());
        if (!layout) return made;
        if (grad_enabled()) {
          be.copy(made.weight.raw_data(), held.raw_data(), held.nbytes());
          made.weight.set_stored_layout(std::move(layout));
        } else {
          held.set_stored_layout(std::move(layout));
          made.weight = held;
        }
        return made;
      });
  return conv2d(x, f.weight, f.shift, options, epilogue);
}

}  // namespace idml
