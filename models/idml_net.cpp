// IDML network: heads, their init, forward, parameter groups.
#include "models/idml_net.h"

#include <set>

#include "engine/ops.h"
#include "nn/init.h"
#include "nn/pooling.h"

namespace idml::models {

IDMLResNet::IDMLResNet(const ResNetConfig& config, int64_t embedding_size, nn::ParameterInit init) : ResNet(config, init) {
  IDML_CHECK(embedding_size > 0, "IDMLNet: embedding size must be positive, got ", embedding_size);
  embedding = register_module("embedding", std::make_shared<nn::Linear>(feature_channels(), embedding_size, init));
  uncertainty = register_module("uncertainty", std::make_shared<nn::Linear>(feature_channels(), embedding_size, init));
  nn::init::kaiming_normal_(embedding->weight, init, nn::init::FanMode::FanOut);
  nn::init::constant_(embedding->bias, 0.0);
}

IDMLNet::IDMLNet(const IDMLNetConfig& config, nn::ParameterInit init) : config_(config) {
  model = register_module("model",
                          std::make_shared<IDMLResNet>(resnet_config(config.backbone), config.embedding_size, init));
  if (config.bn_freeze) nn::freeze_batch_norm(*model);
}

Tensor IDMLNet::pooled_features(const Tensor& x) { return nn::global_avg_plus_max_pool(model->forward_features(x)); }

IDMLNet::Output IDMLNet::forward(const Tensor& x) {
  const Tensor f = pooled_features(x);
  Output out{model->embedding->forward(f), model->uncertainty->forward(f)};
  if (config_.l2_norm) {
    out.semantic = l2_normalize(out.semantic);
    out.uncertainty = l2_normalize(out.uncertainty);
  }
  return out;
}

std::vector<Tensor> IDMLNet::embedding_parameters() const { return model->embedding->parameters(); }

std::vector<Tensor> IDMLNet::backbone_parameters() const {
  std::set<const TensorImpl*> embedding;
  for (const Tensor& p : embedding_parameters()) embedding.insert(&p.impl());
  std::vector<Tensor> out;
  for (const Tensor& p : parameters())
    if (embedding.count(&p.impl()) == 0) out.push_back(p);
  return out;
}

}  // namespace idml::models
