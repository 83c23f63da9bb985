// The threaded loader: N worker threads turn a batch list into ready batches
// (decode -> transform -> float NCHW) ahead of the consumer, at most
// `prefetch` batches ahead, and hand them out in order.
//
// Sample k of the epoch's stream (k = position over all batches) is augmented
// with SampleRandom::for_sample(seed, epoch, k): a batch's content depends on
// (seed, epoch, batch list) only, never on the thread count or timing. (The
// position, not the dataset index, so that an image drawn twice by balanced
// sampling gets two different augmentations.)
//
// A worker's error (a file that does not decode, ...) is rethrown by next() in
// the consumer thread, with the sample's source in the message. Destroying the
// loader early stops and joins the workers without waiting for the epoch.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "data/dataset.h"
#include "data/samplers.h"
#include "data/transforms.h"

namespace idml::data {

struct Batch {
  std::vector<float> images;    // (size, 3, height, width), normalised
  std::vector<int64_t> labels;  // (size)
  std::vector<size_t> indices;  // dataset index of each sample
  int64_t size = 0, channels = 3, height = 0, width = 0;
};

// More decoding threads than any machine has cores (creating 100,000 failed
// midway and aborted the process); every command's --workers ends here.
constexpr int kMaxLoaderThreads = 256;

struct LoaderOptions {
  int threads = 4;       // 0: batches are built in next(), on the caller's thread; at most kMaxLoaderThreads
  int prefetch = 0;      // batches ready or in flight ahead of the consumer; 0: threads + 2
  uint64_t seed = 0;
  uint64_t epoch = 0;
  // Resume inside an epoch: start at this batch; samples keep their stream
  // positions, so the batches are those an uninterrupted epoch would build.
  size_t first_batch = 0;
};

class DataLoader {
 public:
  // `dataset` and `transform` must outlive the loader.
  DataLoader(const Dataset& dataset, const Transform& transform, BatchList batches,
             LoaderOptions options = {});
  // positions[b][k]: the stream position whose augmentation sample k of batch b
  // gets (a data-parallel rank loads a shard of each global batch, augmented as
  // one device would have: train/data_parallel.h). Same shape as `batches`.
  DataLoader(const Dataset& dataset, const Transform& transform, BatchList batches, LoaderOptions options,
             BatchList positions);
  ~DataLoader();
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  // The next batch in order; false once the epoch is over.
  bool next(Batch& out);
  size_t num_batches() const { return batches_.size(); }

 private:
  struct Slot {
    Batch batch;
    std::exception_ptr error;
  };
  void build(size_t batch_number, Slot& slot) const;
  void worker();
  void stop_workers();  // signals and joins every worker thread

  const Dataset& dataset_;
  const Transform& transform_;
  BatchList batches_;
  BatchList positions_;                 // stream position of each sample, when given
  std::vector<size_t> first_position_;  // else: of each batch's first sample
  LoaderOptions options_;
  size_t prefetch_;

  std::mutex mutex_;
  std::condition_variable work_ready_, batch_ready_;
  size_t next_claim_ = 0, next_yield_ = 0;
  bool stopping_ = false;
  std::map<size_t, Slot> done_;
  std::vector<std::thread> workers_;
};

// Convenience: the batch list docs/METHOD.md#7-data prescribes for a split. Training: balanced
// when images_per_class > 0, else shuffled with drop_last; evaluation: sequential.
enum class EpochFor { training, evaluation };
BatchList epoch_batches(const Dataset& dataset, EpochFor purpose, size_t batch_size,
                        size_t images_per_class, uint64_t seed, uint64_t epoch);

}  // namespace idml::data
