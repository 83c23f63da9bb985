// Data parallelism of `idml train` (docs/METHOD.md#9-data-parallelism), in one place: N ranks on a
// global batch B give the update one device gives on B (up to float
// reordering; BN frozen, as in the paper's recipes).
//
//   every rank: the same global batch (indices, augmentation positions), lam, perm
//   rank r:     loads rows r*B/N .. (r+1)*B/N - 1 and their mixup partners x[perm],
//               augmented exactly as one device would have augmented them
//               (epoch_loader); forwards x_r and lam x_r + (1 - lam) x[perm]_r
//   all ranks:  all_gather the four (B/N, D) embeddings in rank order, the
//               docs/METHOD.md#5-training-step loss on the whole batch (identical everywhere)
//   backward:   all_gather's backward is the rank's own slice; the model's
//               gradients are summed over ranks in buckets; the proxies'
//               gradient is already complete on every rank (never summed)
//   then:       clip and step, the same update on every rank
//
// Evaluation embeds a contiguous shard of the eval set per rank and gathers
// the embeddings in dataset order; a per-epoch parameter checksum catches
// ranks that drifted apart. With N = 1 the trainer does not use this class.
#pragma once

#include <memory>

#include "data/dataset.h"
#include "data/loader.h"
#include "engine/distributed/communicator.h"
#include "models/idml_net.h"
#include "nn/optimizer.h"
#include "train/evaluation.h"
#include "train/losses/criterion.h"
#include "train/mixup_step.h"

namespace idml::train {

class DataParallel {
 public:
  // --batch-size not divisible by the number of ranks is an error naming both.
  DataParallel(distributed::Communicator& comm, int64_t batch_size);

  int64_t shard_rows() const { return shard_rows_; }

  // This rank's loader of the epoch's global `batches`: batch i holds its
  // shard_rows() samples then their mixup partners. Draws every step's lam and
  // perm from `step_gen` (as the one-device step would) and keeps them.
  std::unique_ptr<data::DataLoader> epoch_loader(const data::Dataset& dataset, const data::Transform& transform,
                                                 const data::BatchList& batches, Generator& step_gen,
                                                 const data::LoaderOptions& options);

  // The docs/METHOD.md#9-data-parallelism step on `shard` (the epoch_loader batch number `step`).
  StepResult step(models::IDMLNet& net, const Criterion& loss, nn::Optimizer& optimizer, const data::Batch& shard,
                  int64_t step, Device device, const StepOptions& options);

  // compute_embeddings of the whole `dataset`, each rank embedding its shard.
  Embeddings embed(models::IDMLNet& net, const data::Dataset& dataset, const data::Transform& transform,
                   const EmbedOptions& options);

  // BatchNorm's running statistics of rank 0 on every rank. With BN in
  // training mode each rank normalises with its own shard and updates its
  // running statistics from it; DataParallel keeps those of the first device's
  // replica (the first shard), and so do we, before evaluating or comparing.
  // The sum of rank 0's values and zeros elsewhere is exact.
  void adopt_rank0_buffers(models::IDMLNet& net);

  // Every parameter, buffer and proxy, and the optimiser's moments, equal on
  // every rank; else an error naming the first tensor that differs.
  void check_replicas_equal(const models::IDMLNet& net, const Criterion& loss, const nn::Optimizer& optimizer);

  // Seconds spent in collectives since the last call (reset on read).
  double take_communication_seconds();

 private:
  distributed::Communicator& comm_;
  int64_t batch_size_, shard_rows_;
  std::vector<MixupDraw> draws_;                  // per step of the epoch
  std::vector<std::vector<int64_t>> labels_;      // per step: the global batch's labels
  double communication_seconds_ = 0;
};

}  // namespace idml::train
