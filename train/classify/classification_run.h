// The training run of `idml classify train` (docs/METHOD.md#10-classification), built from the same
// pieces as retrieval's TrainingRun (data loader, run log, progress bar,
// device/optimizer/step-seed set-up, safetensors checkpoints):
//   build        datasets and transforms, the network, SGD (momentum 0.9,
//                Nesterov, weight decay), the run directory
//   resume       everything from a `*_last.safetensors` training checkpoint
//   per epoch    train_epoch (the epoch's LR, the mixing steps), evaluate (top-1
//                and top-5 error on the val split), keep_if_best (lowest top-1
//                error), save (the last checkpoint and a metrics.jsonl line)
#pragma once

#include <memory>
#include <string>

#include "data/dataset.h"
#include "data/transforms.h"
#include "models/classifier_net.h"
#include "nn/optimizer.h"
#include "train/classify/classification_checkpoint.h"
#include "train/classify/classify_config.h"
#include "train/classify/classify_step.h"
#include "train/run_log.h"

namespace idml::train::classify {

struct ClassifySummary {
  std::string run_directory;
  int64_t best_epoch = -1;
  double best_top1_error = 1, best_top5_error = 1;
  double last_top1_error = 1;
  double seconds = 0;
};

class ClassificationRun {
 public:
  explicit ClassificationRun(const ClassifyConfig& config);
  ClassifySummary run();

 private:
  struct EpochStats {
    double mean_loss = 0, lr = 0, seconds = 0;
    int64_t steps = 0, images = 0;
  };
  void open_data();
  void build_model();
  void resume();
  EpochStats train_epoch(int64_t epoch);
  TopKErrors evaluate();
  void keep_if_best(int64_t epoch, const TopKErrors& errors);
  void save(int64_t epoch, const nlohmann::json& record);

  ClassifyConfig config_;
  nlohmann::json config_json_;
  Device device_;
  std::unique_ptr<data::Dataset> train_set_, eval_set_;
  std::unique_ptr<data::Transform> train_transform_, eval_transform_;
  std::unique_ptr<models::ClassifierNet> net_;
  std::unique_ptr<nn::Optimizer> optimizer_;
  ClassifyProgress progress_;
  std::unique_ptr<RunLog> log_;
  std::string best_path_, last_path_;
  double last_top1_error_ = 1;
};

// The network of a configuration (also what `classify eval` rebuilds from a checkpoint).
std::unique_ptr<models::ClassifierNet> build_classifier(const ClassifyConfig& config, int64_t num_classes);
// The eval transform of a configuration's dataset.
std::unique_ptr<data::Transform> eval_transform_for(const ClassifyConfig& config);
// The dataset's split, capped to --per-class-cap images per class.
std::unique_ptr<data::Dataset> open_split(const ClassifyConfig& config, data::Split split);

}  // namespace idml::train::classify
