// Checkpoints of the classification task, as safetensors files written
// atomically (nn/weights/safetensors): the network's state under its own names
// (`conv1.weight`, ..., `fc.weight`, `uncertainty.weight`), metadata
// `idml.task = classify`, `idml.kind`, `idml.config`, `idml.epoch`, and for the
// training (last) checkpoint the optimizer's state under `optimizer.` and the
// best result so far. With the loader's (seed, epoch, index) randomness and
// the step generator seeded from (seed, epoch), that is an exact resume.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "nn/module.h"
#include "nn/optimizer.h"

namespace idml::train::classify {

struct ClassifyProgress {
  int64_t next_epoch = 0;
  int64_t best_epoch = -1;
  double best_top1_error = 2.0;  // above any error: no evaluation yet
  nlohmann::json best_metrics = nlohmann::json::object();
};

void save_classifier_model(const std::string& path, const nn::Module& net, int64_t epoch,
                           const nlohmann::json& config, const nlohmann::json& metrics);
void save_classifier_training(const std::string& path, const nn::Module& net, const nn::Optimizer& optimizer,
                              const ClassifyProgress& progress, const nlohmann::json& config);

// The configuration stored in either kind of checkpoint; an error naming the file for anything else.
nlohmann::json read_classifier_config(const std::string& path);
// Loads a training checkpoint into a built run; checks everything before changing anything.
ClassifyProgress load_classifier_training(const std::string& path, nn::Module& net, nn::Optimizer& optimizer);
// Loads the network's weights from either kind (optimizer state is ignored).
void load_classifier_weights(const std::string& path, nn::Module& net);

}  // namespace idml::train::classify
