// PyramidNet for CIFAR (Han et al. 2017), as the CutMix-PyTorch code the
// authors trained builds it (names as theirs: conv1, bn1, layer1..3, bn_final, fc):
//   conv1 3x3 (16) - bn1 - layer1 - layer2 (/2) - layer3 (/2) - bn_final - relu - avgpool - fc
//   n = (depth - 2) / 9 blocks per stage (bottleneck; (depth - 2) / 6 basic),
//   the width grows by addrate = alpha / (3 n) per block, rounded as Python's round()
//   bottleneck: bn1 - conv1 1x1 - bn2 - relu - conv2 3x3 (stride) - bn3 - relu - conv3 1x1 (x4) - bn4
//   basic:      bn1 - conv1 3x3 (stride) - bn2 - relu - conv2 3x3 - bn3
//   out = body(x) + shortcut, shortcut = x (avg-pooled 2x2 on a stride-2 block),
//   zero-padded to the body's channels. No relu after the sum.
// Init as theirs: conv normal(0, sqrt(2 / (k k out))), BN 1/0, Linear PyTorch's default.
// Plus `uncertainty` (Linear(F, 128), docs/METHOD.md#10-classification) registered after fc.
#pragma once

#include <memory>

#include "models/classifier_net.h"
#include "nn/batch_norm.h"
#include "nn/conv2d.h"
#include "nn/sequential.h"

namespace idml::models {

struct PyramidNetConfig {
  int64_t depth = 200;
  double alpha = 240;
  bool bottleneck = true;
  int64_t num_classes = 100;
  int64_t uncertainty_size = 128;
};

enum class PyramidBlockKind { basic, bottleneck };

class PyramidBlock : public nn::Layer {
 public:
  PyramidBlock(int64_t inplanes, int64_t planes, int64_t stride, PyramidBlockKind kind, nn::ParameterInit init);
  // x (N, inplanes, H, W) -> (N, planes * (4 or 1), H / stride, W / stride)
  Tensor forward(const Tensor& x) override;

  std::shared_ptr<nn::BatchNorm2d> bn1, bn2, bn3, bn4;  // bn4: bottleneck only
  std::shared_ptr<nn::Conv2d> conv1, conv2, conv3;      // conv3: bottleneck only

 private:
  int64_t stride_;
  PyramidBlockKind kind_;
};

class PyramidNet : public nn::Module, public ClassifierNet {
 public:
  PyramidNet(const PyramidNetConfig& config, nn::ParameterInit init);
  ClassifierOutput classify(const Tensor& x, Uncertainty uncertainty) override;
  nn::Module& module() override { return *this; }
  nn::Linear& classifier() override { return *fc; }
  int64_t feature_channels() const { return fc->in_features(); }

  std::shared_ptr<nn::Conv2d> conv1;
  std::shared_ptr<nn::BatchNorm2d> bn1, bn_final;
  std::shared_ptr<nn::Sequential> layer1, layer2, layer3;
  std::shared_ptr<nn::Linear> fc;

 private:
  std::shared_ptr<nn::Sequential> make_layer(int64_t blocks, int64_t stride, nn::ParameterInit init);
  PyramidBlockKind block_;
  double addrate_ = 0, featuremap_dim_ = 16;
  int64_t input_featuremap_dim_ = 16;
};

// AvgPool2d(2, stride 2) on even H and W (the stride-2 shortcut), from
// transposes, row selections and sums (memory-bound, differentiable; no pooling kernel needed).
Tensor avg_pool2x2(const Tensor& x);

}  // namespace idml::models
