// The differentiable collectives of data parallelism (docs/METHOD.md#9-data-parallelism).
//
// all_gather: every rank's `shard` (rows, ...) concatenated in rank order ->
// (N * rows, ...). Its backward returns the rank's own slice of the output's
// gradient: the loss is computed identically on every rank, so that slice is
// exactly dL/d(shard), and no sum is needed here (the parameters' gradients
// are summed afterwards by sum_gradients).
//
// sum_gradients: in-place sum over ranks of the gradients of `params`, packed
// into buckets of about `bucket_bytes` (one collective per bucket instead of
// one per tensor; parameters without a gradient are skipped, the same set on
// every rank). Returns the number of collectives issued.
#pragma once

#include <cstddef>
#include <vector>

#include "engine/distributed/communicator.h"
#include "engine/tensor.h"

namespace idml::distributed {

Tensor all_gather(const Tensor& shard, Communicator& comm);

constexpr size_t kDefaultBucketBytes = size_t{25} << 20;  // 25 MiB, as PyTorch's DDP
size_t sum_gradients(const std::vector<Tensor>& params, Communicator& comm, size_t bucket_bytes = kDefaultBucketBytes);

}  // namespace idml::distributed
