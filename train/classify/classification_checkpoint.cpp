// Classification checkpoints: safetensors with the task's metadata.
#include "train/classify/classification_checkpoint.h"

#include "engine/error.h"
#include "nn/weights/safetensors.h"

namespace idml::train::classify {

namespace {

constexpr const char* kOptimizerPrefix = "optimizer.";

weights::StateDict host_state(const nn::Module& net) {
  weights::StateDict dict;
  for (const auto& [name, tensor] : net.state_dict()) dict[name] = tensor.detach().to(Device::cpu());
  return dict;
}

nlohmann::json metadata_json(const weights::Metadata& metadata, const std::string& key, const std::string& path) {
  const auto it = metadata.find(key);
  IDML_CHECK(it != metadata.end(), path, ": not an idml classification checkpoint (no '", key, "' in its metadata)");
  try {
    return nlohmann::json::parse(it->second);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": metadata '" + key + "' is not valid JSON: " + e.what());
  }
}

weights::StateDict load_checked(const std::string& path, weights::Metadata& metadata) {
  weights::StateDict dict = weights::load_safetensors(path, &metadata);
  const auto task = metadata.find("idml.task");
  IDML_CHECK(task != metadata.end() && task->second == "classify", path,
             ": not a checkpoint of `idml classify train` (retrieval checkpoints go to `idml eval`)");
  return dict;
}

}  // namespace

void save_classifier_model(const std::string& path, const nn::Module& net, int64_t epoch,
                           const nlohmann::json& config, const nlohmann::json& metrics) {
  weights::save_safetensors(path, host_state(net),
                            {{"idml.task", "classify"},
                             {"idml.kind", "model"},
                             {"idml.epoch", std::to_string(epoch)},
                             {"idml.config", config.dump()},
                             {"idml.metrics", metrics.dump()}});
}

void save_classifier_training(const std::string& path, const nn::Module& net, const nn::Optimizer& optimizer,
                              const ClassifyProgress& progress, const nlohmann::json& config) {
  weights::StateDict dict = host_state(net);
  for (const auto& [name, tensor] : optimizer.state_dict()) dict[kOptimizerPrefix + name] = tensor.to(Device::cpu());
  const nlohmann::json best = {
      {"epoch", progress.best_epoch}, {"top1_error", progress.best_top1_error}, {"metrics", progress.best_metrics}};
  weights::save_safetensors(path, dict,
                            {{"idml.task", "classify"},
                             {"idml.kind", "training"},
                             {"idml.next_epoch", std::to_string(progress.next_epoch)},
                             {"idml.best", best.dump()},
                             {"idml.config", config.dump()}});
}

nlohmann::json read_classifier_config(const std::string& path) {
  weights::Metadata metadata;
  load_checked(path, metadata);
  return metadata_json(metadata, "idml.config", path);
}

ClassifyProgress load_classifier_training(const std::string& path, nn::Module& net, nn::Optimizer& optimizer) {
  weights::Metadata metadata;
  const weights::StateDict dict = load_checked(path, metadata);
  const auto kind = metadata.find("idml.kind");
  IDML_CHECK(kind != metadata.end() && kind->second == "training", path,
             ": not a training checkpoint (use the `*_last.safetensors` file of a run to --resume)");
  ClassifyProgress progress;
  const nlohmann::json best = metadata_json(metadata, "idml.best", path);
  try {
    progress.next_epoch = std::stoll(metadata.at("idml.next_epoch"));
    progress.best_epoch = best.at("epoch");
    progress.best_top1_error = best.at("top1_error");
    progress.best_metrics = best.at("metrics");
  } catch (const std::exception& e) {
    throw Error(path + ": damaged training metadata: " + e.what());
  }
  weights::StateDict model_dict, optimizer_dict;
  for (const auto& [name, tensor] : dict) {
    if (name.rfind(kOptimizerPrefix, 0) == 0) optimizer_dict[name.substr(std::string(kOptimizerPrefix).size())] = tensor;
    else model_dict[name] = tensor;
  }
  net.load_state_dict(model_dict);
  optimizer.load_state_dict(optimizer_dict);
  return progress;
}

void load_classifier_weights(const std::string& path, nn::Module& net) {
  weights::Metadata metadata;
  weights::StateDict dict = load_checked(path, metadata);
  for (auto it = dict.begin(); it != dict.end();)
    it = it->first.rfind(kOptimizerPrefix, 0) == 0 ? dict.erase(it) : std::next(it);
  net.load_state_dict(dict);
}

}  // namespace idml::train::classify
