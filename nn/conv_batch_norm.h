// conv -> batch norm [-> + residual] [-> relu], the unit every ResNet layer is
// made of. When the batch norm normalises by its running statistics (eval
// mode, or frozen: docs/METHOD.md#2-model, --bn-freeze) it is folded into the convolution
// (engine conv2d_frozen_batch_norm) and the residual add and ReLU run fused in
// the convolution's epilogue; with batch statistics (or a conv bias, which
// ResNets do not have) the three run one by one.
#pragma once

#include "engine/ops.h"
#include "nn/batch_norm.h"
#include "nn/conv2d.h"

namespace idml::nn {

// relu?(bn(conv(x)) + residual); residual undefined for none.
Tensor conv_batch_norm(const Tensor& x, Conv2d& conv, BatchNorm2d& bn, const Tensor& residual = Tensor(),
                       bool relu = false);

}  // namespace idml::nn
