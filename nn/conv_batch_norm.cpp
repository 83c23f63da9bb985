// conv_batch_norm: the folded path (running statistics) and the plain one.
#include "nn/conv_batch_norm.h"

namespace idml::nn {

Tensor conv_batch_norm(const Tensor& x, Conv2d& conv, BatchNorm2d& bn, const Tensor& residual, bool relu) {
  if (bn.uses_batch_statistics() || conv.bias.defined()) {  // ResNet convs have no bias
    Tensor y = bn.forward(conv.forward(x));
    if (residual.defined()) y = add(y, residual);
    return relu ? idml::relu(y) : y;
  }
  const Conv2dConfig& c = conv.config();
  const Conv2dOptions options{c.stride, c.padding, c.dilation};
  return conv2d_frozen_batch_norm(x, conv.weight, bn.weight, bn.bias, bn.running_mean, bn.running_var, bn.eps(), options,
                                  Conv2dEpilogue{residual, relu});
}

}  // namespace idml::nn
