// Folding each BatchNorm of the IDML ResNet into its convolution.
#include "export/folded_network.h"

#include "engine/autograd.h"
#include "engine/error.h"
#include "engine/ops.h"
#include "models/resnet_blocks.h"

namespace idml::onnx_export {

namespace {

// A parameter or buffer on the CPU, row-major (to_plain: whatever layout it is held in).
Tensor host_float64(const Tensor& t) { return to_plain(t.detach()).to(Device::cpu()).to(DType::Float64); }

std::vector<float> host_floats(const Tensor& t) {
  return to_plain(t.detach()).to(Device::cpu()).to(DType::Float32).to_vector<float>();
}

DenseLayer dense_layer(const std::string& name, const nn::Linear& linear) {
  DenseLayer d;
  d.name = name;
  d.out_features = linear.out_features();
  d.in_features = linear.in_features();
  d.weight = host_floats(linear.weight);
  d.bias = linear.bias.defined() ? host_floats(linear.bias) : std::vector<float>(static_cast<size_t>(d.out_features), 0.0f);
  return d;
}

// downsample = Sequential(conv 1x1, BatchNorm2d), as torchvision.
FoldedConv fold_downsample(const std::string& block, const nn::Sequential& downsample) {
  const auto* conv = dynamic_cast<const nn::Conv2d*>(downsample[0].get());
  const auto* bn = dynamic_cast<const nn::BatchNorm2d*>(downsample.size() == 2 ? downsample[1].get() : nullptr);
  IDML_CHECK(conv != nullptr && bn != nullptr, "export: ", block, ".downsample is not (conv, batch norm)");
  return fold_conv_batch_norm(block + ".downsample.0", *conv, block + ".downsample.1", *bn);
}

FoldedBlock fold_block(const std::string& name, const nn::Layer& layer) {
  FoldedBlock block;
  block.name = name;
  const nn::Sequential* downsample = nullptr;
  if (const auto* basic = dynamic_cast<const models::BasicBlock*>(&layer)) {
    block.convs.push_back(fold_conv_batch_norm(name + ".conv1", *basic->conv1, name + ".bn1", *basic->bn1));
    block.convs.push_back(fold_conv_batch_norm(name + ".conv2", *basic->conv2, name + ".bn2", *basic->bn2));
    downsample = basic->downsample.get();
  } else if (const auto* bottleneck = dynamic_cast<const models::Bottleneck*>(&layer)) {
    block.convs.push_back(fold_conv_batch_norm(name + ".conv1", *bottleneck->conv1, name + ".bn1", *bottleneck->bn1));
    block.convs.push_back(fold_conv_batch_norm(name + ".conv2", *bottleneck->conv2, name + ".bn2", *bottleneck->bn2));
    block.convs.push_back(fold_conv_batch_norm(name + ".conv3", *bottleneck->conv3, name + ".bn3", *bottleneck->bn3));
    downsample = bottleneck->downsample.get();
  } else {
    throw Error("export: " + name + " is neither a BasicBlock nor a Bottleneck");
  }
  if (downsample) block.downsample = fold_downsample(name, *downsample);
  return block;
}

}  // namespace

FoldedConv fold_conv_batch_norm(const std::string& name, const nn::Conv2d& conv, const std::string& bn_name,
                                const nn::BatchNorm2d& bn) {
  const nn::Conv2dConfig& c = conv.config();
  IDML_CHECK(c.dilation == 1, "export: ", name, " has dilation ", c.dilation, " (ResNet convolutions have 1)");
  IDML_CHECK(bn.num_features() == c.out_channels, "export: ", bn_name, " has ", bn.num_features(),
             " channels, its convolution ", name, " ", c.out_channels);
  FoldedConv f;
  f.name = name;
  f.folded_batch_norm = bn_name;
  f.out_channels = c.out_channels;
  f.in_channels = c.in_channels;
  f.kernel = c.kernel_size;
  f.stride = c.stride;
  f.padding = c.padding;
  // The engine's own fold (engine/ops.h: batch_norm_fold, scale_output_channels),
  // run in float64 on the CPU and rounded to float32 once.
  NoGradGuard no_grad;
  const BatchNormFold fold = batch_norm_fold(host_float64(bn.weight), host_float64(bn.bias),
                                             host_float64(bn.running_mean), host_float64(bn.running_var), bn.eps());
  const Tensor weight = scale_output_channels(host_float64(conv.weight), fold.scale);  // a W
  // BN(W x + b) = a W x + shift + a b
  const Tensor bias = conv.bias.defined() ? add(fold.shift, mul(fold.scale, host_float64(conv.bias))) : fold.shift;
  f.weight = weight.to(DType::Float32).to_vector<float>();
  f.bias = bias.to(DType::Float32).to_vector<float>();
  return f;
}

FoldedNetwork fold_network(const models::IDMLNet& net) {
  const models::IDMLResNet& resnet = *net.model;
  FoldedNetwork folded;
  folded.backbone = net.config().backbone;
  folded.l2_norm = net.config().l2_norm;
  folded.stem = fold_conv_batch_norm("conv1", *resnet.conv1, "bn1", *resnet.bn1);
  const std::pair<const char*, const nn::Sequential*> stages[] = {
      {"layer1", resnet.layer1.get()}, {"layer2", resnet.layer2.get()},
      {"layer3", resnet.layer3.get()}, {"layer4", resnet.layer4.get()}};
  for (const auto& [stage, layers] : stages)
    for (size_t i = 0; i < layers->size(); ++i)
      folded.blocks.push_back(fold_block(std::string(stage) + "." + std::to_string(i), *(*layers)[i]));
  folded.embedding = dense_layer("embedding", *resnet.embedding);
  folded.uncertainty = dense_layer("uncertainty", *resnet.uncertainty);
  return folded;
}

int64_t FoldedNetwork::parameter_count() const {
  int64_t n = 0;
  const auto add_conv = [&](const FoldedConv& c) { n += static_cast<int64_t>(c.weight.size() + c.bias.size()); };
  add_conv(stem);
  for (const FoldedBlock& b : blocks) {
    for (const FoldedConv& c : b.convs) add_conv(c);
    if (b.downsample) add_conv(*b.downsample);
  }
  for (const DenseLayer* d : {&embedding, &uncertainty}) n += static_cast<int64_t>(d->weight.size() + d->bias.size());
  return n;
}

int64_t FoldedNetwork::convolution_count() const {
  int64_t n = 1;  // the stem
  for (const FoldedBlock& b : blocks) n += static_cast<int64_t>(b.convs.size()) + (b.downsample ? 1 : 0);
  return n;
}

}  // namespace idml::onnx_export
