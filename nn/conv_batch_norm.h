// conv -> batch norm [-> + residual] [-> relu], the unit every ResNet layer is
// made of, and the place where a convolution takes one of its two routes:
//   - running statistics (eval mode, or frozen: docs/METHOD.md#2-model,
//     --bn-freeze, the paper's recipe): the batch norm is folded into the
//     convolution (engine conv2d_frozen_batch_norm: conv(x, a W) + c, with
//     a W from scale_output_channels) and the residual add and ReLU run fused
//     in the convolution's epilogue. Conv2d::forward is never called.
//   - batch statistics (training mode, not frozen; or a conv bias, which
//     ResNets do not have): Conv2d::forward (engine conv2d), BatchNorm2d,
//     add and relu, one by one.
// Both reach the same backend convolution (Backend::conv2d_forward).
#pragma once

#include "engine/ops.h"
#include "nn/batch_norm.h"
#include "nn/conv2d.h"

namespace idml::nn {

// What follows the (residual) sum: nothing, or a ReLU.
enum class Activation { none, relu };

// activation(bn(conv(x)) + residual); residual undefined for none.
Tensor conv_batch_norm(const Tensor& x, Conv2d& conv, BatchNorm2d& bn, const Tensor& residual = Tensor(),
                       Activation activation = Activation::none);

}  // namespace idml::nn
