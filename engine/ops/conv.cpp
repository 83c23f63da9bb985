// conv2d front-end: geometry, checks, and the backward that calls only the
// kernels whose inputs want a gradient (a frozen weight costs no dW GEMM).
#include "engine/ops.h"
#include "engine/ops/op_utils.h"

namespace idml {

using namespace ops_detail;

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, Conv2dOptions o) {
  check_same("conv2d", {x, weight, bias});
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
  Conv2dGeometry g{x.size(0), x.size(1), x.size(2), x.size(3), weight.size(0), weight.size(2), weight.size(3),
                   o.stride, o.padding, o.dilation, 0, 0};
  g.out_height = (g.in_height + 2 * g.padding - g.dilation * (g.kernel_height - 1) - 1) / g.stride + 1;
  g.out_width = (g.in_width + 2 * g.padding - g.dilation * (g.kernel_width - 1) - 1) / g.stride + 1;
  IDML_CHECK(g.out_height > 0 && g.out_width > 0, "conv2d: input ", x.str(), " is smaller than the kernel ",
             weight.str(), " (padding ", o.padding, ", dilation ", o.dilation, ")");
  Tensor y = empty({g.batch, g.out_channels, g.out_height, g.out_width}, x.dtype(), x.device());
  backend_of(x).conv2d_forward(x.dtype(), g, x.raw_data(), weight.raw_data(),
                               bias.defined() ? bias.raw_data() : nullptr, y.raw_data());
  return record(y, "conv2d", {x, weight, bias},
                [xd = x.detach(), wd = weight.detach(), g](const Tensor& dy, const std::vector<bool>& needs) {
                  Tensor dx, dw, db;
                  Backend& be = backend_of(dy);
                  if (needs[0]) {
                    dx = empty(xd.shape(), dy.dtype(), dy.device());
                    be.conv2d_backward_input(dy.dtype(), g, dy.raw_data(), wd.raw_data(), dx.raw_data());
                  }
                  if (needs[1]) {
                    dw = empty(wd.shape(), dy.dtype(), dy.device());
                    be.conv2d_backward_weight(dy.dtype(), g, xd.raw_data(), dy.raw_data(), dw.raw_data());
                  }
                  if (needs[2]) db = sum(dy, {0, 2, 3});
                  return std::vector<Tensor>{dx, dw, db};
                });
}

}  // namespace idml
