// BasicBlock and Bottleneck forward passes (torchvision's, line for line).
#include "models/resnet_blocks.h"

#include "engine/ops.h"

namespace idml::models {

std::shared_ptr<nn::Conv2d> conv3x3(int64_t in, int64_t out, int64_t stride, Generator& gen) {
  return std::make_shared<nn::Conv2d>(nn::Conv2dConfig{in, out, 3, stride, 1, 1, false}, gen);
}

std::shared_ptr<nn::Conv2d> conv1x1(int64_t in, int64_t out, int64_t stride, Generator& gen) {
  return std::make_shared<nn::Conv2d>(nn::Conv2dConfig{in, out, 1, stride, 0, 1, false}, gen);
}

BasicBlock::BasicBlock(int64_t inplanes, int64_t planes, int64_t stride, std::shared_ptr<nn::Sequential> ds,
                       Generator& gen) {
  conv1 = register_module("conv1", conv3x3(inplanes, planes, stride, gen));
  bn1 = register_module("bn1", std::make_shared<nn::BatchNorm2d>(planes));
  conv2 = register_module("conv2", conv3x3(planes, planes, 1, gen));
  bn2 = register_module("bn2", std::make_shared<nn::BatchNorm2d>(planes));
  if (ds) downsample = register_module("downsample", std::move(ds));
}

Tensor BasicBlock::forward(const Tensor& x) {
  Tensor out = relu(bn1->forward(conv1->forward(x)));
  out = bn2->forward(conv2->forward(out));
  const Tensor identity = downsample ? downsample->forward(x) : x;
  return relu(add(out, identity));
}

Bottleneck::Bottleneck(int64_t inplanes, int64_t planes, int64_t stride, std::shared_ptr<nn::Sequential> ds,
                       Generator& gen) {
  conv1 = register_module("conv1", conv1x1(inplanes, planes, 1, gen));
  bn1 = register_module("bn1", std::make_shared<nn::BatchNorm2d>(planes));
  conv2 = register_module("conv2", conv3x3(planes, planes, stride, gen));
  bn2 = register_module("bn2", std::make_shared<nn::BatchNorm2d>(planes));
  conv3 = register_module("conv3", conv1x1(planes, planes * expansion, 1, gen));
  bn3 = register_module("bn3", std::make_shared<nn::BatchNorm2d>(planes * expansion));
  if (ds) downsample = register_module("downsample", std::move(ds));
}

Tensor Bottleneck::forward(const Tensor& x) {
  Tensor out = relu(bn1->forward(conv1->forward(x)));
  out = relu(bn2->forward(conv2->forward(out)));
  out = bn3->forward(conv3->forward(out));
  const Tensor identity = downsample ? downsample->forward(x) : x;
  return relu(add(out, identity));
}

}  // namespace idml::models
