// conv_batch_norm: where a convolution forks into its two routes (see the header).
#include "nn/conv_batch_norm.h"

namespace idml::nn {

Tensor conv_batch_norm(const Tensor& x, Conv2d& conv, BatchNorm2d& bn, const Tensor& residual,
                       Activation activation) {
  const bool relu = activation == Activation::relu;
  // Route 1, batch statistics: the three layers one by one.
  if (bn.uses_batch_statistics() || conv.bias.defined()) {  // ResNet convs have no bias
    Tensor y = bn.forward(conv.forward(x));
    if (residual.defined()) y = add(y, residual);
    return relu ? idml::relu(y) : y;
  }
  // Route 2, running statistics: the batch norm folded into the convolution.
  const Conv2dConfig& c = conv.config();
  const Conv2dOptions options{c.stride, c.padding, c.dilation};
  return conv2d_frozen_batch_norm(x, conv.weight, bn.weight, bn.bias, bn.running_mean, bn.running_var, bn.eps(),
                                  options, Conv2dEpilogue{residual, relu});
}

}  // namespace idml::nn
