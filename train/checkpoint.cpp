// Model and training checkpoints as safetensors files, and a run's state read back (a
// trained network alone is read by models/trained_net.h).
#include "train/checkpoint.h"

#include <array>

#include "engine/ops.h"
#include "models/trained_net.h"
#include "train/config_enums.h"

namespace idml::train {

namespace {

// The network's tensors, then the loss's (`proxies`), on the host.
weights::StateDict model_tensors(const models::IDMLNet& net, const Criterion& loss) {
  weights::StateDict dict;
  for (const nn::Module* module : {static_cast<const nn::Module*>(&net), static_cast<const nn::Module*>(&loss)})
    for (const auto& [name, tensor] : module->state_dict()) dict[name] = tensor.detach().to(Device::cpu());
  return dict;
}

nlohmann::json parse_metadata_json(const weights::Metadata& metadata, const std::string& key, const std::string& path) {
  auto it = metadata.find(key);
  IDML_CHECK(it != metadata.end(), path, ": not an idml training checkpoint (no '", key, "' in its metadata)");
  try {
    return nlohmann::json::parse(it->second);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": metadata '" + key + "' is not valid JSON: " + e.what());
  }
}

// Doubles are written with 17 significant digits, so they read back exactly.
nlohmann::json mid_epoch_json(const MidEpoch& m) {
  return {{"steps", m.steps}, {"images", m.images}, {"loss_sum", m.loss_sum},
          {"rng_words", m.step_rng.words}, {"rng_has_spare", m.step_rng.has_spare_normal},
          {"rng_spare", m.step_rng.spare_normal}};
}

MidEpoch mid_epoch_from_json(const nlohmann::json& j) {
  MidEpoch m;
  m.steps = j.at("steps");
  m.images = j.at("images");
  m.loss_sum = j.at("loss_sum");
  m.step_rng.words = j.at("rng_words").get<std::array<uint64_t, 4>>();
  m.step_rng.has_spare_normal = j.at("rng_has_spare");
  m.step_rng.spare_normal = j.at("rng_spare");
  IDML_CHECK(m.steps >= 0 && m.images >= 0, "negative position in idml.mid_epoch");
  return m;
}

}  // namespace

void save_model_checkpoint(const std::string& path, const models::IDMLNet& net, const Criterion& loss,
                           int64_t epoch, const nlohmann::json& config, const nlohmann::json& metrics) {
  weights::save_safetensors(path, model_tensors(net, loss),
                            {{"idml.kind", "model"},
                             {"idml.epoch", std::to_string(epoch)},
                             {"idml.config", config.dump()},
                             {"idml.metrics", metrics.dump()}});
}

void save_training_checkpoint(const std::string& path, const models::IDMLNet& net, const Criterion& loss,
                              const nn::Optimizer& optimizer, const TrainingProgress& progress) {
  weights::StateDict dict = model_tensors(net, loss);
  for (const auto& [name, tensor] : optimizer.state_dict())
    dict[models::kOptimizerPrefix + name] = tensor.to(Device::cpu());
  const nlohmann::json best = {
      {"epoch", progress.best.epoch}, {"R@1", progress.best.recall_at_1}, {"metrics", progress.best.metrics}};
  weights::save_safetensors(path, dict,
                            {{"idml.kind", "training"},
                             {"idml.next_epoch", std::to_string(progress.next_epoch)},
                             {"idml.best", best.dump()},
                             {"idml.config", progress.config.dump()},
                             {"idml.epoch_record", progress.epoch_record.dump()},
                             {"idml.mid_epoch", mid_epoch_json(progress.mid_epoch).dump()}});
}

nlohmann::json read_checkpoint_config(const std::string& path) {
  weights::Metadata metadata;
  weights::load_safetensors(path, &metadata);
  return parse_metadata_json(metadata, "idml.config", path);
}

TrainingProgress load_training_checkpoint(const std::string& path, models::IDMLNet& net, Criterion& loss,
                                          nn::Optimizer& optimizer) {
  weights::Metadata metadata;
  weights::StateDict dict = weights::load_safetensors(path, &metadata);
  auto kind = metadata.find("idml.kind");
  IDML_CHECK(kind != metadata.end() && kind->second == "training", path,
             ": not an idml training checkpoint (use the `*_last.safetensors` file of a run to --resume)");
  TrainingProgress progress;
  progress.config = parse_metadata_json(metadata, "idml.config", path);
  const nlohmann::json best = parse_metadata_json(metadata, "idml.best", path);
  try {
    progress.next_epoch = std::stoll(metadata.at("idml.next_epoch"));
    progress.best.epoch = best.at("epoch");
    progress.best.recall_at_1 = best.at("R@1");
    progress.best.metrics = best.at("metrics");
    // Absent from checkpoints written before these fields existed.
    if (metadata.count("idml.epoch_record")) progress.epoch_record = parse_metadata_json(metadata, "idml.epoch_record", path);
    if (metadata.count("idml.mid_epoch"))
      progress.mid_epoch = mid_epoch_from_json(parse_metadata_json(metadata, "idml.mid_epoch", path));
  } catch (const std::exception& e) {
    throw Error(path + ": damaged training metadata: " + e.what());
  }

  weights::StateDict model_dict, loss_dict, optimizer_dict;
  for (auto& [name, tensor] : dict) {
    const std::string optimizer_prefix = models::kOptimizerPrefix;
    if (name == models::kProxiesName) loss_dict[name] = tensor;
    else if (name.rfind(optimizer_prefix, 0) == 0) optimizer_dict[name.substr(optimizer_prefix.size())] = tensor;
    else model_dict[name] = tensor;
  }
  // The loss's state: `proxies` for a proxy loss, nothing for a pair-based one.
  const weights::StateDict expected = loss.state_dict();
  const auto proxies_shape = [](const weights::StateDict& dict) {
    const auto it = dict.find("proxies");
    return it != dict.end() ? shape_str(it->second.shape()) : std::string("none");
  };
  IDML_CHECK(proxies_shape(loss_dict) == proxies_shape(expected), path, ": proxies ", proxies_shape(loss_dict),
             " do not match this run's ", proxies_shape(expected), " (--loss ", choice_name(loss.kind()), ")");
  // Each load validates its whole section before copying; a failure aborts
  // the run before any training step, and nothing on disk is touched.
  net.load_state_dict(model_dict);
  loss.load_state_dict(loss_dict);
  optimizer.load_state_dict(optimizer_dict);
  return progress;
}

}  // namespace idml::train
