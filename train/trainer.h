// The training run of `idml train` (docs/METHOD.md#5-training-step to #8-evaluation), as one object with named steps:
//   build     datasets, the IDML network, the criterion of --loss (with its
//             proxies for a proxy loss), the optimiser with its parameter
//             groups, StepLR, the run directory
//   resume    everything from a `*_last.safetensors` training checkpoint
//   per epoch train_epoch (warm-up freezing, the mixup steps), evaluate (eval
//             split, or queries among the gallery; and `seen` where the dataset has it), keep_if_best (best
//             model by R@1), save (the last checkpoint and a metrics.jsonl line)
// An epoch's randomness depends on (seed, epoch) only, so a resumed run
// continues exactly where its last checkpoint left it. Ctrl-C (SIGINT or
// SIGTERM) finishes the current step and writes a checkpoint that resumes
// inside the epoch (train/interrupt.h); the checkpoint is written before the
// epoch's metrics line, which it holds, so a resume can always complete the log.
// On N ranks (mpirun, or --gpu-id -1) the steps run the data-parallel
// algorithm of train/data_parallel.h; rank 0 alone writes files and progress,
// and the checkpoints do not depend on N.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "data/loader.h"
#include "data/transforms.h"
#include "engine/distributed/communicator.h"
#include "models/idml_net.h"
#include "nn/lr_scheduler.h"
#include "nn/optimizer.h"
#include "train/checkpoint.h"
#include "train/data_parallel.h"
#include "train/evaluation.h"
#include "train/losses/criterion.h"
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
  // Validates the config and builds the run, on every rank of `comm`.
  explicit TrainingRun(const TrainConfig& config, distributed::Communicator& comm = distributed::world());
  TrainSummary run();

 private:
  struct EpochStats {
    double mean_loss = 0;
    int64_t steps = 0, images = 0;  // images of the global batches (all ranks)
    double seconds = 0, communication_seconds = 0;
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
  bool is_root() const { return comm_.rank() == 0; }
  std::unique_ptr<data::DataLoader> epoch_loader(int64_t epoch, Generator& step_gen, size_t first_batch);
  StepResult train_step(const data::Batch& batch, int64_t step, Generator& step_gen);
  void complete_log();  // the last epoch's metrics line, if a kill lost it
  // Ctrl-C: writes the resumable checkpoint (progress_.mid_epoch says where) and throws TrainingInterrupted.
  [[noreturn]] void stop_for_signal(int64_t epoch, int64_t total_steps);
  bool stop_agreed();  // a Ctrl-C on any rank stops every rank at the same step
  void write_report() const;  // report.html of the run directory (--report 1); never stops the run

  TrainConfig config_;
  distributed::Communicator& comm_;
  std::unique_ptr<DataParallel> data_parallel_;  // null on one rank
  Device device_;
  std::unique_ptr<data::Dataset> train_set_, seen_set_;
  RetrievalSplits eval_;  // the eval split, or In-shop's queries and gallery
  std::unique_ptr<data::TrainTransform> train_transform_;
  std::unique_ptr<data::EvalTransform> eval_transform_;
  std::unique_ptr<models::IDMLNet> net_;
  std::unique_ptr<Criterion> loss_;
  std::unique_ptr<nn::Optimizer> optimizer_;
  std::unique_ptr<nn::StepLR> scheduler_;
  TrainingProgress progress_;
  std::unique_ptr<RunLog> log_;  // rank 0 only
  std::string directory_, stem_, best_path_, last_path_;
};

// TrainingRun(config).run().
TrainSummary run_training(const TrainConfig& config);

}  // namespace idml::train
