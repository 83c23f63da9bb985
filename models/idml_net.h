// The IDML network of docs/METHOD.md#2-model:
//   features = ResNet trunk (torchvision), f = GAP(features) + GMP(features)
//   semantic s = embedding(f), uncertainty u = uncertainty(f)   (both D-dim)
//   with l2_norm: x / sqrt(sum x^2 + 1e-12) on both.
// As in the reference wrapper, the heads live inside the ResNet module, which
// is the child `model`: checkpoint names are `model.conv1.weight`,
// `model.embedding.weight`, `model.uncertainty.bias`, ... (`model.fc.*` is kept
// but unused). The loss owns `proxies`.
// Init: embedding kaiming_normal fan_out (std sqrt(2 / D)), bias 0;
// uncertainty PyTorch's default Linear init.
// bn_freeze: every BatchNorm stays in inference mode and starts with its
// affine parameters frozen.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/resnet.h"

namespace idml::models {

// ResNet + the two heads, registered after `fc` as the reference attaches them.
class IDMLResNet : public ResNet {
 public:
  IDMLResNet(const ResNetConfig& config, int64_t embedding_size, nn::ParameterInit init);
  std::shared_ptr<nn::Linear> embedding;
  std::shared_ptr<nn::Linear> uncertainty;
};

struct IDMLNetConfig {
  std::string backbone = "resnet50";
  int64_t embedding_size = 512;
  bool l2_norm = true;
  bool bn_freeze = true;
};

// IDMLNetConfig::l2_norm as the argument of a call that builds a net:
// l2: both outputs x / sqrt(sum x^2 + 1e-12); none: as the heads compute them.
enum class EmbeddingNorm { l2, none };

class IDMLNet : public nn::Module {
 public:
  IDMLNet(const IDMLNetConfig& config, nn::ParameterInit init);

  struct Output {
    Tensor semantic;     // (N, D)
    Tensor uncertainty;  // (N, D)
  };
  // x (N, 3, H, W) -> both embeddings.
  Output forward(const Tensor& x);
  // x (N, 3, H, W) -> f (N, C): GAP + GMP of the last feature map.
  Tensor pooled_features(const Tensor& x);

  // Every model parameter except the semantic embedding layer (uncertainty
  // and fc included), and the embedding layer: docs/METHOD.md#6-optimisation's groups (1) and (2),
  // built in train/parameter_groups.h.
  std::vector<Tensor> backbone_parameters() const;
  std::vector<Tensor> embedding_parameters() const;

  const IDMLNetConfig& config() const { return config_; }
  std::shared_ptr<IDMLResNet> model;

 private:
  IDMLNetConfig config_;
};

}  // namespace idml::models
