// The training run of `idml train` (SPEC §5-8), as one object with named steps:
//   build     datasets, the IDML network, the Proxy-Anchor loss with its
//             proxies, the optimiser with its three parameter groups, StepLR,
//             the run directory
//   resume    everything from a `*_last.safetensors` training checkpoint
//   per epoch train_epoch (warm-up freezing, the mixup steps), evaluate (eval
//             split, and `seen` where the dataset has it), keep_if_best (best
//             model by R@1), save (the last checkpoint and a metrics.jsonl line)
// An epoch's randomness depends on (seed, epoch) only, so a resumed run
// continues exactly where its last checkpoint left it.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "data/transforms.h"
#include "models/idml_net.h"
#include "nn/lr_scheduler.h"
#include "nn/optimizer.h"
#include "train/checkpoint.h"
#include "train/evaluation.h"
#include "train/losses/proxy_anchor.h"
#include "train/run_log.h"
#include "train/train_config.h"

namespace idml::train {

struct TrainSummary {
  std::string run_directory;
  int64_t best_epoch = -1;
  double best_recall_at_1 = -1;
  double seconds = 0;
};

class TrainingRun {
 public:
  explicit TrainingRun(const TrainConfig& config);  // validates the config and builds the run
  TrainSummary run();

 private:
  struct EpochStats {
    double mean_loss = 0;
    int64_t steps = 0, images = 0;
    double seconds = 0;
  };
  struct Evaluation {
    metrics::EvaluationResult eval;
    nlohmann::json record;  // "eval", "seen" (where the dataset has it), "seconds"
  };

  void open_data();
  void build_model();
  void resume();
  EpochStats train_epoch(int64_t epoch);
  Evaluation evaluate(int64_t epoch);
  void keep_if_best(int64_t epoch, const metrics::EvaluationResult& eval);
  void save(int64_t epoch, nlohmann::json record);
  bool evaluates_after(int64_t epoch) const;
  void write_report() const;  // report.html of the run directory (--report 1); never stops the run

  TrainConfig config_;
  Device device_;
  std::unique_ptr<data::Dataset> train_set_, eval_set_, seen_set_;
  std::unique_ptr<data::TrainTransform> train_transform_;
  std::unique_ptr<data::EvalTransform> eval_transform_;
  std::unique_ptr<models::IDMLNet> net_;
  std::unique_ptr<ProxyAnchor> loss_;
  std::unique_ptr<nn::Optimizer> optimizer_;
  std::unique_ptr<nn::StepLR> scheduler_;
  TrainingProgress progress_;
  std::unique_ptr<RunLog> log_;
  std::string stem_, best_path_, last_path_;
};

// TrainingRun(config).run().
TrainSummary run_training(const TrainConfig& config);

}  // namespace idml::train
