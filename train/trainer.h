// The training loop of `idml train` (SPEC §5-8): builds the datasets, the
// IDML network, the proxies, the optimiser with its three parameter groups
// and the StepLR schedule; then per epoch applies the warm-up freezing, runs
// the mixup steps, evaluates (eval split, and `seen` where the dataset has
// it), keeps the best model by R@1, and writes the last checkpoint and a
// metrics.jsonl line. `resume` continues a run exactly where its last
// checkpoint left it.
#pragma once

#include "train/train_config.h"

namespace idml::train {

struct TrainSummary {
  std::string run_directory;
  int64_t best_epoch = -1;
  double best_recall_at_1 = -1;
  double seconds = 0;
};

TrainSummary run_training(const TrainConfig& config);

}  // namespace idml::train
