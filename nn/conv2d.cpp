// Conv2d: parameters, default init, forward through the engine's conv2d.
#include "nn/conv2d.h"

#include "nn/init.h"

namespace idml::nn {

Conv2d::Conv2d(const Conv2dConfig& config, ParameterInit init) : config_(config) {
  IDML_CHECK(config.in_channels > 0 && config.out_channels > 0 && config.kernel_size > 0 && config.stride > 0,
             "Conv2d: channels, kernel_size and stride must be positive (in ", config.in_channels, ", out ",
             config.out_channels, ", kernel ", config.kernel_size, ", stride ", config.stride, ")");
  weight = register_parameter(
      "weight", empty({config.out_channels, config.in_channels, config.kernel_size, config.kernel_size}));
  if (config.bias) bias = register_parameter("bias", empty({config.out_channels}));
  init::default_weight_and_bias_(weight, bias, init);
}

std::shared_ptr<Conv2d> same_padded_conv(int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride,
                                         ParameterInit init) {
  Conv2dConfig config{in_channels, out_channels, kernel};
  config.stride = stride;
  config.padding = kernel / 2;
  config.bias = false;
  return std::make_shared<Conv2d>(config, init);
}

Tensor Conv2d::forward(const Tensor& x) {
  return conv2d(x, weight, bias, Conv2dOptions{config_.stride, config_.padding, config_.dilation});
}

}  // namespace idml::nn
