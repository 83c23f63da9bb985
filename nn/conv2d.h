// Conv2d, as torch.nn.Conv2d (square kernel, groups = 1): parameters
// `weight` (out, in, k, k) and optional `bias` (out), PyTorch's default init.
// In a ResNet, forward() is only one of a convolution's two routes: the
// blocks call nn::conv_batch_norm, which runs forward() then the batch norm
// when the batch norm uses batch statistics, and otherwise folds the batch
// norm into the weight and never calls forward() (nn/conv_batch_norm.h).
#pragma once

#include <memory>

#include "nn/init.h"
#include "engine/ops.h"
#include "nn/layer.h"

namespace idml::nn {

struct Conv2dConfig {
  int64_t in_channels;
  int64_t out_channels;
  int64_t kernel_size;
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t dilation = 1;
  bool bias = true;
};

class Conv2d;

// A square kernel with "same" padding (kernel / 2) and no bias: every
// convolution of ResNet and PyramidNet.
std::shared_ptr<Conv2d> same_padded_conv(int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride,
                                         ParameterInit init);

class Conv2d : public Layer {
 public:
  Conv2d(const Conv2dConfig& config, ParameterInit init);
  // x (N, in, H, W) -> (N, out, H', W')
  Tensor forward(const Tensor& x) override;
  const Conv2dConfig& config() const { return config_; }

  Tensor weight;
  Tensor bias;  // undefined when config.bias is false

 private:
  Conv2dConfig config_;
};

}  // namespace idml::nn
