// ResNet-18/34/50/101 in torchvision's topology, names and initialisation:
//   conv1 7x7/2 - bn1 - relu - maxpool 3x3/2 - layer1..layer4 - avgpool - fc
// Initialisation as torchvision: every conv kaiming_normal (fan_out, relu),
// BN weight 1 / bias 0, fc PyTorch's default Linear init. `fc` is kept (the
// IDML net does not use it) so that ImageNet state dicts load strictly.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "nn/batch_norm.h"
#include "nn/conv2d.h"
#include "nn/init.h"
#include "nn/linear.h"
#include "nn/sequential.h"

namespace idml::models {

enum class BlockKind { Basic, Bottleneck };

struct ResNetConfig {
  BlockKind block;
  std::vector<int64_t> layers;  // blocks per stage, e.g. {3, 4, 6, 3}
  int64_t num_classes = 1000;
};

// "resnet18", "resnet34", "resnet50", "resnet101"; throws naming the choices otherwise.
ResNetConfig resnet_config(const std::string& name);

class ResNet : public nn::Module {
 public:
  ResNet(const ResNetConfig& config, nn::ParameterInit init);
  // x (N, 3, H, W) -> last feature map (N, feature_channels, H/32, W/32)
  Tensor forward_features(const Tensor& x);
  // x (N, 3, H, W) -> logits (N, num_classes): fc(flatten(avgpool(features)))
  Tensor forward(const Tensor& x);
  // 512 (BasicBlock) or 2048 (Bottleneck): channels of the last feature map = fc.in_features.
  int64_t feature_channels() const { return feature_channels_; }

  std::shared_ptr<nn::Conv2d> conv1;
  std::shared_ptr<nn::BatchNorm2d> bn1;
  std::shared_ptr<nn::Sequential> layer1, layer2, layer3, layer4;
  std::shared_ptr<nn::Linear> fc;

 private:
  std::shared_ptr<nn::Sequential> make_layer(int64_t planes, int64_t blocks, int64_t stride, nn::ParameterInit init);
  BlockKind block_;
  int64_t inplanes_ = 64;
  int64_t feature_channels_ = 0;
};

std::unique_ptr<ResNet> make_resnet(const std::string& name, nn::ParameterInit init, int64_t num_classes = 1000);

}  // namespace idml::models
