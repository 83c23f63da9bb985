// DataParallel: the shard loader, the docs/METHOD.md#9-data-parallelism step, sharded evaluation and
// the replica checksum; see data_parallel.h.
#include "train/data_parallel.h"

#include <chrono>
#include <cstring>

#include "data/batch_tensors.h"
#include "engine/constant_parameters.h"
#include "engine/distributed/all_gather.h"
#include "engine/ops.h"

namespace idml::train {

namespace {

using Clock = std::chrono::steady_clock;

// Samples first .. first + count - 1 of a dataset, as a dataset.
class DatasetSlice final : public data::Dataset {
 public:
  DatasetSlice(const data::Dataset& whole, size_t first, size_t count) : whole_(whole), first_(first), count_(count) {}
  size_t size() const override { return count_; }
  int64_t label(size_t index) const override { return whole_.label(first_ + index); }
  data::Image load(size_t index) const override { return whole_.load(first_ + index); }
  std::string source(size_t index) const override { return whole_.source(first_ + index); }

 private:
  const data::Dataset& whole_;
  size_t first_, count_;
};

template <typename T>
std::vector<char> as_bytes(const std::vector<T>& values) {
  std::vector<char> out(values.size() * sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

// Every rank's values, concatenated in rank order.
template <typename T>
std::vector<T> gather_in_rank_order(distributed::Communicator& comm, const std::vector<T>& mine) {
  std::vector<T> out;
  for (const std::vector<char>& bytes : comm.all_gather_bytes(as_bytes(mine))) {
    const size_t n = bytes.size() / sizeof(T);
    const size_t old = out.size();
    out.resize(old + n);
    if (n > 0) std::memcpy(out.data() + old, bytes.data(), bytes.size());
  }
  return out;
}

// FNV-1a over a tensor's bytes: equal replicas hash equal, bit for bit.
uint64_t fingerprint(const Tensor& t) {
  const Tensor host = t.to(Device::cpu());
  const auto* bytes = static_cast<const unsigned char*>(host.raw_data());
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < host.nbytes(); ++i) hash = (hash ^ bytes[i]) * 0x100000001b3ULL;
  return hash;
}

}  // namespace

DataParallel::DataParallel(distributed::Communicator& comm, int64_t batch_size)
    : comm_(comm), batch_size_(batch_size), shard_rows_(batch_size / comm.size()) {
  IDML_CHECK(batch_size % comm.size() == 0, "--batch-size ", batch_size, " is not divisible by the ", comm.size(),
             " ranks of this run: every rank takes an equal shard of the global batch (use a multiple of ",
             comm.size(), ")");
}

std::unique_ptr<data::DataLoader> DataParallel::epoch_loader(const data::Dataset& dataset,
                                                             const data::Transform& transform,
                                                             const data::BatchList& batches, Generator& step_gen,
                                                             const data::LoaderOptions& options) {
  const size_t first_row = static_cast<size_t>(shard_rows_ * comm_.rank());
  data::BatchList members(batches.size()), positions(batches.size());
  draws_.clear();
  labels_.clear();
  size_t stream_position = 0;  // of the batch's first sample, as the one-device loader counts
  for (size_t b = 0; b < batches.size(); ++b) {
    const std::vector<size_t>& batch = batches[b];
    IDML_CHECK(static_cast<int64_t>(batch.size()) == batch_size_, "data parallel: batch ", b, " has ", batch.size(),
               " samples, expected ", batch_size_);
    draws_.push_back(draw_mixup(batch_size_, step_gen));
    std::vector<int64_t> labels;
    for (size_t index : batch) labels.push_back(dataset.label(index));
    labels_.push_back(std::move(labels));
    for (int pass = 0; pass < 2; ++pass)  // the shard's rows, then their partners x[perm]
      for (size_t row = first_row; row < first_row + static_cast<size_t>(shard_rows_); ++row) {
        const size_t source = pass == 0 ? row : static_cast<size_t>(draws_.back().perm[row]);
        members[b].push_back(batch[source]);
        positions[b].push_back(stream_position + source);
      }
    stream_position += batch.size();
  }
  return std::make_unique<data::DataLoader>(dataset, transform, std::move(members), options, std::move(positions));
}

StepResult DataParallel::step(models::IDMLNet& net, const Criterion& criterion, nn::Optimizer& optimizer,
                              const data::Batch& shard, int64_t step, Device device, const StepOptions& options) {
  const MixupDraw& draw = draws_.at(static_cast<size_t>(step));
  const data::BatchTensors tensors = data::to_tensors(shard, device);
  const Tensor x = narrow(tensors.images, 0, 0, shard_rows_);
  const Tensor partners = narrow(tensors.images, 0, shard_rows_, shard_rows_);
  const Tensor mixed = add(mul_scalar(x, draw.lam), mul_scalar(partners, 1.0 - draw.lam));
  models::IDMLNet::Output clean_shard, mix_shard;
  {
    const ConstantParameters shared;  // the two forwards share each frozen BN's fold (one backward through it)
    clean_shard = net.forward(x);
    mix_shard = net.forward(mixed);
  }

  auto start = Clock::now();
  const models::IDMLNet::Output clean{distributed::all_gather(clean_shard.semantic, comm_),
                                      distributed::all_gather(clean_shard.uncertainty, comm_)};
  const models::IDMLNet::Output mix{distributed::all_gather(mix_shard.semantic, comm_),
                                    distributed::all_gather(mix_shard.uncertainty, comm_)};
  communication_seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
  const std::vector<int64_t>& labels = labels_.at(static_cast<size_t>(step));
  const Tensor y = from_vector(labels, {batch_size_}, device);
  const Tensor loss = mixup_loss(criterion, clean, mix, y, draw);

  optimizer.zero_grad();
  loss.backward();
  std::vector<Tensor> model_params;
  for (const auto& group : optimizer.param_groups())
    if (group.name != "proxies") model_params.insert(model_params.end(), group.params.begin(), group.params.end());
  start = Clock::now();
  distributed::sum_gradients(model_params, comm_);
  communication_seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
  clip_and_step(optimizer, options.clip_value);
  // The step's one read of device memory, once its update is queued; identical on every rank: all stop together on NaN.
  const double value = loss.item();
  check_finite_loss(value);
  return {value, draw.lam};
}

Embeddings DataParallel::embed(models::IDMLNet& net, const data::Dataset& dataset, const data::Transform& transform,
                               const EmbedOptions& options) {
  const size_t n = dataset.size(), ranks = static_cast<size_t>(comm_.size()), r = static_cast<size_t>(comm_.rank());
  const size_t first = n * r / ranks, last = n * (r + 1) / ranks;  // contiguous: rank order = dataset order
  const DatasetSlice shard(dataset, first, last - first);
  Embeddings mine = last > first ? compute_embeddings(net, shard, transform, options) : Embeddings{};
  Embeddings out;
  out.count = static_cast<int64_t>(n);
  out.semantic = gather_in_rank_order(comm_, mine.semantic);
  out.uncertainty = gather_in_rank_order(comm_, mine.uncertainty);
  out.labels = gather_in_rank_order(comm_, mine.labels);
  out.dim = n > 0 ? static_cast<int64_t>(out.semantic.size() / n) : 0;
  IDML_CHECK(out.labels.size() == n, "data parallel evaluation: gathered ", out.labels.size(), " embeddings for ",
             n, " samples");
  return out;
}

void DataParallel::adopt_rank0_buffers(models::IDMLNet& net) {
  const auto start = Clock::now();
  for (const auto& [name, buffer] : net.named_buffers()) {
    if (buffer.dtype() != DType::Float32) continue;  // num_batches_tracked: the same step count everywhere
    if (comm_.rank() != 0) buffer.copy_(zeros_like(buffer));
    comm_.all_reduce_sum(buffer);
  }
  communication_seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
}

void DataParallel::check_replicas_equal(const models::IDMLNet& net, const Criterion& loss,
                                        const nn::Optimizer& optimizer) {
  std::vector<std::string> names;
  std::vector<uint64_t> hashes;
  auto add = [&](const std::string& name, const Tensor& t) {
    names.push_back(name);
    hashes.push_back(fingerprint(t));
  };
  for (const auto& [name, t] : net.named_state()) add(name, t);
  for (const auto& [name, t] : loss.named_state()) add(name, t);
  for (const auto& [name, t] : optimizer.state_dict()) add("optimizer " + name, t);
  const auto start = Clock::now();
  const std::vector<uint64_t> all = gather_in_rank_order(comm_, hashes);
  communication_seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
  IDML_CHECK(all.size() == names.size() * static_cast<size_t>(comm_.size()),
             "data parallel: the ranks hold different numbers of tensors (", all.size(), " checksums for ",
             comm_.size(), " ranks of ", names.size(), ")");
  for (size_t r = 1; r < static_cast<size_t>(comm_.size()); ++r)
    for (size_t i = 0; i < names.size(); ++i)
      IDML_CHECK(all[r * names.size() + i] == all[i], "data parallel: ", names[i],
                 " differs between rank 0 and rank ", r,
                 " (the replicas drifted apart: a bug, or ranks built from different data or flags)");
}

double DataParallel::take_communication_seconds() {
  const double out = communication_seconds_;
  communication_seconds_ = 0;
  return out;
}

}  // namespace idml::train
