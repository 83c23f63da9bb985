// Reading a trained IDML network back from a checkpoint file (models/trained_net.h).
#include "models/trained_net.h"

#include <iterator>

#include "engine/error.h"
#include "nn/weights/load_weights.h"

namespace idml::models {

weights::StateDict read_model_weights(const std::string& path) { return model_weights(weights::load_weights(path).tensors); }

weights::StateDict model_weights(weights::StateDict dict) {
  dict.erase(kProxiesName);
  for (auto it = dict.begin(); it != dict.end();)
    it = it->first.rfind(kOptimizerPrefix, 0) == 0 ? dict.erase(it) : std::next(it);
  return dict;
}

std::string infer_backbone(const weights::StateDict& dict, const std::string& path) {
  IDML_CHECK(dict.count("model.conv1.weight"), path,
             ": not an IDML model (no model.conv1.weight; expected the names of docs/METHOD.md#2-model: model.<torchvision name>, "
             "model.embedding.*, model.uncertainty.*)");
  int64_t blocks = 0;
  while (dict.count("model.layer3." + std::to_string(blocks) + ".conv1.weight")) ++blocks;
  const bool bottleneck = dict.count("model.layer1.0.conv3.weight") > 0;
  if (!bottleneck && blocks == 2) return "resnet18";
  if (!bottleneck && blocks == 6) return "resnet34";
  if (bottleneck && blocks == 6) return "resnet50";
  if (bottleneck && blocks == 23) return "resnet101";
  throw Error(path + ": unrecognised ResNet (" + std::to_string(blocks) + " blocks in layer3, " +
              (bottleneck ? "bottleneck" : "basic") + " blocks)");
}

int64_t infer_embedding_size(const weights::StateDict& dict, const std::string& path) {
  auto it = dict.find("model.embedding.weight");
  IDML_CHECK(it != dict.end() && it->second.dim() == 2, path, ": no 2-d model.embedding.weight");
  return it->second.size(0);
}

std::unique_ptr<IDMLNet> load_trained_net(const std::string& path, Device device, EmbeddingNorm norm) {
  auto net = build_trained_net(read_model_weights(path), path, norm);
  net->to(device);
  return net;
}

std::unique_ptr<IDMLNet> build_trained_net(const weights::StateDict& dict, const std::string& path,
                                           EmbeddingNorm norm) {
  IDMLNetConfig config;
  config.backbone = infer_backbone(dict, path);
  config.embedding_size = infer_embedding_size(dict, path);
  config.l2_norm = norm == EmbeddingNorm::l2;
  // No draws: the strict load below overwrites every parameter and buffer.
  auto net = std::make_unique<IDMLNet>(config, nn::ParameterInit::skip());
  net->load_state_dict(dict);
  return net;
}

}  // namespace idml::models
