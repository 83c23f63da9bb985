// ResNet construction (torchvision's _make_layer) and forward.
#include "models/resnet.h"

#include "engine/ops.h"
#include "models/resnet_blocks.h"
#include "nn/conv_batch_norm.h"
#include "nn/init.h"
#include "nn/pooling.h"

namespace idml::models {

ResNetConfig resnet_config(const std::string& name) {
  if (name == "resnet18") return {BlockKind::Basic, {2, 2, 2, 2}};
  if (name == "resnet34") return {BlockKind::Basic, {3, 4, 6, 3}};
  if (name == "resnet50") return {BlockKind::Bottleneck, {3, 4, 6, 3}};
  if (name == "resnet101") return {BlockKind::Bottleneck, {3, 4, 23, 3}};
  throw Error("unknown model '" + name + "' (choose resnet18, resnet34, resnet50 or resnet101)");
}

ResNet::ResNet(const ResNetConfig& config, nn::ParameterInit init) : block_(config.block) {
  IDML_CHECK(config.layers.size() == 4, "ResNet: need 4 stages, got ", config.layers.size());
  conv1 = register_module("conv1", nn::same_padded_conv(3, 64, 7, 2, init));
  bn1 = register_module("bn1", std::make_shared<nn::BatchNorm2d>(64));
  layer1 = register_module("layer1", make_layer(64, config.layers[0], 1, init));
  layer2 = register_module("layer2", make_layer(128, config.layers[1], 2, init));
  layer3 = register_module("layer3", make_layer(256, config.layers[2], 2, init));
  layer4 = register_module("layer4", make_layer(512, config.layers[3], 2, init));
  feature_channels_ = inplanes_;
  fc = register_module("fc", std::make_shared<nn::Linear>(feature_channels_, config.num_classes, init));
  // torchvision: kaiming_normal_(mode="fan_out", nonlinearity="relu") on every conv;
  // BN already holds weight 1, bias 0.
  for (auto& [name, module] : named_modules())
    if (auto* conv = dynamic_cast<nn::Conv2d*>(module))
      nn::init::kaiming_normal_(conv->weight, init, nn::init::FanMode::FanOut);
}

std::shared_ptr<nn::Sequential> ResNet::make_layer(int64_t planes, int64_t blocks, int64_t stride, nn::ParameterInit init) {
  const int64_t expansion = block_ == BlockKind::Basic ? BasicBlock::expansion : Bottleneck::expansion;
  auto make_block = [&](int64_t inplanes, int64_t s, std::shared_ptr<nn::Sequential> ds) -> std::shared_ptr<nn::Layer> {
    if (block_ == BlockKind::Basic) return std::make_shared<BasicBlock>(inplanes, planes, s, std::move(ds), init);
    return std::make_shared<Bottleneck>(inplanes, planes, s, std::move(ds), init);
  };
  std::shared_ptr<nn::Sequential> downsample;
  if (stride != 1 || inplanes_ != planes * expansion) {
    downsample = std::make_shared<nn::Sequential>();
    downsample->push_back(conv1x1(inplanes_, planes * expansion, stride, init));
    downsample->push_back(std::make_shared<nn::BatchNorm2d>(planes * expansion));
  }
  auto layer = std::make_shared<nn::Sequential>();
  layer->push_back(make_block(inplanes_, stride, downsample));
  inplanes_ = planes * expansion;
  for (int64_t i = 1; i < blocks; ++i) layer->push_back(make_block(inplanes_, 1, nullptr));
  return layer;
}

Tensor ResNet::forward_features(const Tensor& x) {
  IDML_CHECK(x.dim() == 4 && x.size(1) == 3, "ResNet: input must be (N, 3, H, W), got ", x.str());
  // relu(bn1(conv1(x))), folded when frozen
  Tensor y = nn::conv_batch_norm(x, *conv1, *bn1, Tensor(), nn::Activation::relu);
  y = max_pool2d(y, Pool2dOptions{3, 2, 1});
  y = layer1->forward(y);
  y = layer2->forward(y);
  y = layer3->forward(y);
  return layer4->forward(y);
}

Tensor ResNet::forward(const Tensor& x) {
  const Tensor features = forward_features(x);
  const Tensor pooled = adaptive_avg_pool2d_1x1(features).reshape({features.size(0), features.size(1)});
  return fc->forward(pooled);
}

std::unique_ptr<ResNet> make_resnet(const std::string& name, nn::ParameterInit init, int64_t num_classes) {
  ResNetConfig config = resnet_config(name);
  config.num_classes = num_classes;
  return std::make_unique<ResNet>(config, init);
}

}  // namespace idml::models
