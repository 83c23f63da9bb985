// The threaded loader; see loader.h.
#include "data/loader.h"

#include <system_error>

#include "engine/error.h"

namespace idml::data {

DataLoader::DataLoader(const Dataset& dataset, const Transform& transform, BatchList batches,
                       LoaderOptions options)
    : DataLoader(dataset, transform, std::move(batches), options, BatchList{}) {}

DataLoader::DataLoader(const Dataset& dataset, const Transform& transform, BatchList batches, LoaderOptions options,
                       BatchList positions)
    : dataset_(dataset), transform_(transform), batches_(std::move(batches)), positions_(std::move(positions)),
      options_(options) {
  IDML_CHECK(positions_.empty() || positions_.size() == batches_.size(), "DataLoader: ", positions_.size(),
             " position lists for ", batches_.size(), " batches");
  for (size_t b = 0; b < positions_.size(); ++b)
    IDML_CHECK(positions_[b].size() == batches_[b].size(), "DataLoader: batch ", b, " has ", batches_[b].size(),
               " samples but ", positions_[b].size(), " positions");
  IDML_CHECK(options_.threads >= 0, "DataLoader: threads must be >= 0, got ", options_.threads);
  prefetch_ = options_.prefetch > 0 ? static_cast<size_t>(options_.prefetch)
                                    : static_cast<size_t>(options_.threads) + 2;
  size_t position = 0;
  for (const auto& batch : batches_) {
    for (size_t index : batch) {
      IDML_CHECK(index < dataset_.size(), "DataLoader: sample index ", index, " out of range (dataset has ",
                 dataset_.size(), ")");
    }
    first_position_.push_back(position);
    position += batch.size();
  }
  IDML_CHECK(options_.first_batch <= batches_.size(), "DataLoader: first batch ", options_.first_batch,
             " past the epoch's ", batches_.size(), " batches");
  next_claim_ = next_yield_ = options_.first_batch;
  IDML_CHECK(options_.threads >= 0 && options_.threads <= kMaxLoaderThreads, "--workers must be in 0..",
             kMaxLoaderThreads, " (data loader threads), got ", options_.threads);
  try {
    for (int t = 0; t < options_.threads; ++t) workers_.emplace_back([this] { worker(); });
  } catch (const std::system_error& e) {  // joinable threads must not be destroyed: that aborts
    stop_workers();
    throw Error(detail::concat("cannot start ", options_.threads, " data loader threads (--workers): ", e.what()));
  }
}

DataLoader::~DataLoader() { stop_workers(); }

void DataLoader::stop_workers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (auto& w : workers_) w.join();
  workers_.clear();
}

void DataLoader::build(size_t batch_number, Slot& slot) const {
  const std::vector<size_t>& members = batches_[batch_number];
  const int side = transform_.output_size();
  const size_t per_image = static_cast<size_t>(3) * side * side;
  Batch& batch = slot.batch;
  batch.size = static_cast<int64_t>(members.size());
  batch.height = batch.width = side;
  batch.images.resize(per_image * members.size());
  batch.indices = members;
  batch.labels.resize(members.size());
  for (size_t k = 0; k < members.size(); ++k) {
    const size_t index = members[k];
    try {
      const size_t position = positions_.empty() ? first_position_[batch_number] + k : positions_[batch_number][k];
      SampleRandom random = SampleRandom::for_sample(options_.seed, options_.epoch, position);
      transform_.apply(dataset_.load(index), random, batch.images.data() + k * per_image);
      batch.labels[k] = dataset_.label(index);
    } catch (const std::exception& e) {
      const std::string source = dataset_.source(index);
      const std::string message = e.what();
      // Decode errors already name the file; add it where they do not.
      throw Error(message.find(source) != std::string::npos
                      ? message
                      : detail::concat("loading ", source, ": ", message));
    }
  }
}

void DataLoader::worker() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    work_ready_.wait(lock, [this] {
      return stopping_ || next_claim_ >= batches_.size() || next_claim_ < next_yield_ + prefetch_;
    });
    if (stopping_ || next_claim_ >= batches_.size()) return;
    const size_t batch_number = next_claim_++;
    lock.unlock();
    Slot slot;
    try {
      build(batch_number, slot);
    } catch (...) {
      slot.error = std::current_exception();
    }
    lock.lock();
    done_.emplace(batch_number, std::move(slot));
    batch_ready_.notify_all();
  }
}

bool DataLoader::next(Batch& out) {
  if (workers_.empty()) {  // synchronous mode
    if (next_yield_ >= batches_.size()) return false;
    Slot slot;
    build(next_yield_++, slot);
    out = std::move(slot.batch);
    return true;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  if (next_yield_ >= batches_.size()) return false;
  batch_ready_.wait(lock, [this] { return done_.count(next_yield_) > 0; });
  auto it = done_.find(next_yield_);
  Slot slot = std::move(it->second);
  done_.erase(it);
  ++next_yield_;
  lock.unlock();
  work_ready_.notify_all();
  if (slot.error) std::rethrow_exception(slot.error);
  out = std::move(slot.batch);
  return true;
}

BatchList epoch_batches(const Dataset& dataset, EpochFor purpose, size_t batch_size, size_t images_per_class,
                        uint64_t seed, uint64_t epoch) {
  if (purpose == EpochFor::evaluation) return sequential_batches(dataset.size(), batch_size);
  if (images_per_class > 0) return balanced_batches(dataset.labels(), batch_size, images_per_class, seed, epoch);
  return shuffled_batches(dataset.size(), batch_size, seed, epoch);
}

}  // namespace idml::data
