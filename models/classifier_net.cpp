// The ResNet classifier of docs/METHOD.md#10-classification and the factory of classification networks.
#include "models/classifier_net.h"

#include "engine/ops.h"
#include "models/pyramidnet.h"

namespace idml::models {

namespace {

ResNetConfig config_with_classes(const std::string& name, int64_t num_classes) {
  ResNetConfig config = resnet_config(name);
  config.num_classes = num_classes;
  return config;
}

}  // namespace

ResNetClassifier::ResNetClassifier(const std::string& name, int64_t num_classes, int64_t uncertainty_size,
                                   nn::ParameterInit init)
    : ResNet(config_with_classes(name, num_classes), init) {
  uncertainty = register_module("uncertainty", std::make_shared<nn::Linear>(feature_channels(), uncertainty_size, init));
}

ClassifierOutput ResNetClassifier::classify(const Tensor& x, Uncertainty uncertainty_wanted) {
  const Tensor map = forward_features(x);
  ClassifierOutput out;
  out.features = adaptive_avg_pool2d_1x1(map).reshape({map.size(0), map.size(1)});
  out.logits = fc->forward(out.features);
  if (uncertainty_wanted == Uncertainty::compute) out.uncertainty = relu(uncertainty->forward(out.features));
  return out;
}

std::unique_ptr<ClassifierNet> make_classifier(const ClassifierConfig& config, nn::ParameterInit init) {
  if (config.model == "pyramidnet") {
    PyramidNetConfig pyramid{config.depth, config.alpha, config.bottleneck, config.num_classes,
                             config.uncertainty_size > 0 ? config.uncertainty_size : 128};
    return std::make_unique<PyramidNet>(pyramid, init);
  }
  return std::make_unique<ResNetClassifier>(config.model, config.num_classes,
                                            config.uncertainty_size > 0 ? config.uncertainty_size : 512, init);
}

}  // namespace idml::models
