// The two residual blocks of torchvision's ResNet, with its attribute names:
//   BasicBlock (ResNet-18/34): conv1 3x3 (stride) - bn1 - relu - conv2 3x3 - bn2, expansion 1
//   Bottleneck (ResNet-50/101, "v1.5": the stride sits on the 3x3):
//     conv1 1x1 - bn1 - relu - conv2 3x3 (stride) - bn2 - relu - conv3 1x1 - bn3, expansion 4
// out = relu(body(x) + identity), identity = downsample(x) = Sequential(conv 1x1 stride, bn)
// when the shape changes.
#pragma once

#include <memory>

#include "nn/init.h"
#include "nn/batch_norm.h"
#include "nn/conv2d.h"
#include "nn/sequential.h"

namespace idml::models {

class BasicBlock : public nn::Layer {
 public:
  static constexpr int64_t expansion = 1;
  BasicBlock(int64_t inplanes, int64_t planes, int64_t stride, std::shared_ptr<nn::Sequential> downsample,
             nn::ParameterInit init);
  // x (N, inplanes, H, W) -> (N, planes, H / stride, W / stride)
  Tensor forward(const Tensor& x) override;

  std::shared_ptr<nn::Conv2d> conv1, conv2;
  std::shared_ptr<nn::BatchNorm2d> bn1, bn2;
  std::shared_ptr<nn::Sequential> downsample;  // null when the identity fits
};

class Bottleneck : public nn::Layer {
 public:
  static constexpr int64_t expansion = 4;
  Bottleneck(int64_t inplanes, int64_t planes, int64_t stride, std::shared_ptr<nn::Sequential> downsample,
             nn::ParameterInit init);
  // x (N, inplanes, H, W) -> (N, 4 planes, H / stride, W / stride)
  Tensor forward(const Tensor& x) override;

  std::shared_ptr<nn::Conv2d> conv1, conv2, conv3;
  std::shared_ptr<nn::BatchNorm2d> bn1, bn2, bn3;
  std::shared_ptr<nn::Sequential> downsample;
};

// 3x3 and 1x1 convolutions without bias, as torchvision's conv3x3 / conv1x1.
std::shared_ptr<nn::Conv2d> conv3x3(int64_t in, int64_t out, int64_t stride, nn::ParameterInit init);
std::shared_ptr<nn::Conv2d> conv1x1(int64_t in, int64_t out, int64_t stride, nn::ParameterInit init);

}  // namespace idml::models
