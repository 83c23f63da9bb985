// BasicBlock and Bottleneck forward passes (torchvision's, line for line),
// each conv + bn [+ identity] [+ relu] through nn::conv_batch_norm, where a
// convolution takes one of its two routes: folded with a batch norm that uses
// running statistics, or conv then batch norm with batch statistics.
#include "models/resnet_blocks.h"

#include "engine/ops.h"
#include "nn/conv_batch_norm.h"

namespace idml::models {

namespace {

// downsample(x) for Sequential(conv, bn), folded like the block's own layers.
Tensor downsample_forward(nn::Sequential& downsample, const Tensor& x) {
  auto conv = downsample.size() == 2 ? std::dynamic_pointer_cast<nn::Conv2d>(downsample[0]) : nullptr;
  auto bn = downsample.size() == 2 ? std::dynamic_pointer_cast<nn::BatchNorm2d>(downsample[1]) : nullptr;
  if (conv && bn) return nn::conv_batch_norm(x, *conv, *bn);
  return downsample.forward(x);
}

}  // namespace

std::shared_ptr<nn::Conv2d> conv3x3(int64_t in, int64_t out, int64_t stride, nn::ParameterInit init) {
  return nn::same_padded_conv(in, out, 3, stride, init);
}

std::shared_ptr<nn::Conv2d> conv1x1(int64_t in, int64_t out, int64_t stride, nn::ParameterInit init) {
  return nn::same_padded_conv(in, out, 1, stride, init);
}

BasicBlock::BasicBlock(int64_t inplanes, int64_t planes, int64_t stride, std::shared_ptr<nn::Sequential> ds,
                       nn::ParameterInit init) {
  conv1 = register_module("conv1", conv3x3(inplanes, planes, stride, init));
  bn1 = register_module("bn1", std::make_shared<nn::BatchNorm2d>(planes));
  conv2 = register_module("conv2", conv3x3(planes, planes, 1, init));
  bn2 = register_module("bn2", std::make_shared<nn::BatchNorm2d>(planes));
  if (ds) downsample = register_module("downsample", std::move(ds));
}

Tensor BasicBlock::forward(const Tensor& x) {
  const Tensor out = nn::conv_batch_norm(x, *conv1, *bn1, Tensor(), nn::Activation::relu);
  const Tensor identity = downsample ? downsample_forward(*downsample, x) : x;
  return nn::conv_batch_norm(out, *conv2, *bn2, identity, nn::Activation::relu);  // relu(bn2(conv2(out)) + identity)
}

Bottleneck::Bottleneck(int64_t inplanes, int64_t planes, int64_t stride, std::shared_ptr<nn::Sequential> ds,
                       nn::ParameterInit init) {
  conv1 = register_module("conv1", conv1x1(inplanes, planes, 1, init));
  bn1 = register_module("bn1", std::make_shared<nn::BatchNorm2d>(planes));
  conv2 = register_module("conv2", conv3x3(planes, planes, stride, init));
  bn2 = register_module("bn2", std::make_shared<nn::BatchNorm2d>(planes));
  conv3 = register_module("conv3", conv1x1(planes, planes * expansion, 1, init));
  bn3 = register_module("bn3", std::make_shared<nn::BatchNorm2d>(planes * expansion));
  if (ds) downsample = register_module("downsample", std::move(ds));
}

Tensor Bottleneck::forward(const Tensor& x) {
  Tensor out = nn::conv_batch_norm(x, *conv1, *bn1, Tensor(), nn::Activation::relu);
  out = nn::conv_batch_norm(out, *conv2, *bn2, Tensor(), nn::Activation::relu);
  const Tensor identity = downsample ? downsample_forward(*downsample, x) : x;
  return nn::conv_batch_norm(out, *conv3, *bn3, identity, nn::Activation::relu);  // relu(bn3(conv3(out)) + identity)
}

}  // namespace idml::models
