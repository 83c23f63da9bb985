// max_pool2d and the global (1x1 adaptive) average and max pools.
#include "engine/ops.h"
#include "engine/ops/op_utils.h"
#include "engine/storage.h"

namespace idml {

using namespace ops_detail;

Tensor max_pool2d(const Tensor& x_in, Pool2dOptions o) {
  check_floating("max_pool2d", x_in);
  // Held in channel blocks (as a oneDNN convolution leaves its output), x is
  // read as it is and y left in the same arrangement for the next convolution;
  // any other layout is converted first.
  const bool blocked = !x_in.is_plain() && x_in.layout()->channel_block() > 0;
  const Tensor x = blocked ? x_in : to_plain(x_in);
  check_dim("max_pool2d", x, 4, "input (N, C, H, W)");
  IDML_CHECK(o.kernel >= 1 && o.stride >= 1 && o.padding >= 0 && 2 * o.padding <= o.kernel,
             "max_pool2d: bad kernel ", o.kernel, ", stride ", o.stride, " or padding ", o.padding,
             " (padding must be at most half the kernel)");
  Pool2dGeometry g{x.size(0), x.size(1), x.size(2), x.size(3), o.kernel, o.stride, o.padding, 0, 0};
  g.out_height = (g.in_height + 2 * o.padding - o.kernel) / o.stride + 1;  // floor mode
  g.out_width = (g.in_width + 2 * o.padding - o.kernel) / o.stride + 1;
  IDML_CHECK(g.out_height > 0 && g.out_width > 0, "max_pool2d: input ", x.str(), " smaller than kernel ", o.kernel);
  Tensor y = empty({g.batch, g.channels, g.out_height, g.out_width}, x.dtype(), x.device());
  // The window maxima's positions, for the backward only
  const bool backward = grad_enabled() && x.requires_grad();
  const Tensor indices = backward ? empty(y.shape(), DType::Int64, x.device()) : Tensor();
  std::shared_ptr<const StoredLayout> y_layout = blocked ? x.layout()->with_dims(y.shape()) : nullptr;
  const Tensor xs = y_layout ? x : to_plain(x);  // plain where the layout has no such arrangement for y
  backend_of(x).max_pool2d_forward(x.dtype(), g, xs.stored_bytes().data, y.raw_data(),
                                   backward ? indices.data<int64_t>() : nullptr,
                                   y_layout ? xs.layout()->channel_block() : 0);
  if (y_layout) y.set_stored_layout(std::move(y_layout));
  return record(y, "max_pool2d", {x},
                [g, indices, in_shape = x.shape()](const Tensor& dy, const std::vector<bool>&) {
                  Tensor dx = empty(in_shape, dy.dtype(), dy.device());
                  backend_of(dy).max_pool2d_backward(dy.dtype(), g, to_plain(dy).raw_data(),
                                                     indices.data<int64_t>(), dx.raw_data());
                  return std::vector<Tensor>{dx};
                });
}

Tensor adaptive_avg_pool2d_1x1(const Tensor& x) {
  check_dim("adaptive_avg_pool2d", x, 4, "input (N, C, H, W)");
  return mean(x, {2, 3}, KeepDim::yes);
}

Tensor adaptive_max_pool2d_1x1(const Tensor& x) {
  check_dim("adaptive_max_pool2d", x, 4, "input (N, C, H, W)");
  const int64_t n = x.size(0), c = x.size(1);
  return max(x.reshape({n, c, x.size(2) * x.size(3)}), 2).values.reshape({n, c, 1, 1});
}

}  // namespace idml
