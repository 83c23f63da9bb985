// Checkpoints, as safetensors files (nn/weights), written atomically (temp
// file, then rename), so a failure never damages a file already there.
//
// Model checkpoint (the best model): the network's state under docs/METHOD.md#2-model names
// (`model.conv1.weight`, `model.bn1.running_mean`, `model.embedding.weight`,
// ...) plus the loss's `proxies` (proxy losses only); metadata `idml.kind = model`, `idml.config`,
// `idml.epoch`, `idml.metrics`.
//
// Training checkpoint (the last epoch): the same tensors plus the optimizer's
// state under `optimizer.` (moments, step counts) and metadata with the next
// epoch, the best result so far and the configuration. With the loader's
// (seed, epoch, index) randomness and the step generator seeded from (seed,
// epoch), that is everything an exact resume needs. A checkpoint written on
// Ctrl-C also holds the position inside the epoch (`idml.mid_epoch`), and
// every one holds its epoch's metrics line (`idml.epoch_record`).
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/generator.h"
#include "models/idml_net.h"
#include "nn/optimizer.h"
#include "nn/weights/safetensors.h"
#include "train/losses/criterion.h"

namespace idml::train {

struct BestSoFar {
  int64_t epoch = -1;   // -1: no evaluation yet
  double recall_at_1 = -1;
  nlohmann::json metrics = nlohmann::json::object();
};

// Where an interrupted epoch stopped (Ctrl-C): batches done, the step
// generator, and the sums its metrics line needs. steps == 0: at an epoch boundary.
struct MidEpoch {
  int64_t steps = 0, images = 0;
  double loss_sum = 0;
  Generator::State step_rng{};
};

struct TrainingProgress {
  int64_t next_epoch = 0;
  BestSoFar best;
  nlohmann::json config;
  // The metrics.jsonl line of epoch next_epoch - 1, saved with the checkpoint
  // before it is appended, so a resume can write it if the append was lost.
  nlohmann::json epoch_record;
  MidEpoch mid_epoch;  // inside epoch next_epoch
};

void save_model_checkpoint(const std::string& path, const models::IDMLNet& net, const Criterion& loss,
                           int64_t epoch, const nlohmann::json& config, const nlohmann::json& metrics);

void save_training_checkpoint(const std::string& path, const models::IDMLNet& net, const Criterion& loss,
                              const nn::Optimizer& optimizer, const TrainingProgress& progress);

// The configuration stored in a training checkpoint (to rebuild the run before loading it).
nlohmann::json read_checkpoint_config(const std::string& path);

// Loads everything into an already built run; checks the whole file before changing anything.
TrainingProgress load_training_checkpoint(const std::string& path, models::IDMLNet& net, Criterion& loss,
                                          nn::Optimizer& optimizer);

}  // namespace idml::train
