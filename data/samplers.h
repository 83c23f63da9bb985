// Which samples form each batch of an epoch (docs/METHOD.md#7-data). A batch list is
// computed up front from (seed, epoch) alone, so it is the same whatever the
// number of loader threads.
//   shuffled:   a random permutation cut into batches, the last partial one dropped
//   balanced:   (--IPC N) each batch takes batch/N classes without replacement and
//               N images of each with replacement; len(dataset) // batch batches
//   sequential: dataset order, the last batch may be short (evaluation)
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace idml::data {

using BatchList = std::vector<std::vector<size_t>>;

BatchList shuffled_batches(size_t dataset_size, size_t batch_size, uint64_t seed, uint64_t epoch);

BatchList balanced_batches(const std::vector<int64_t>& labels, size_t batch_size,
                           size_t images_per_class, uint64_t seed, uint64_t epoch);

BatchList sequential_batches(size_t dataset_size, size_t batch_size);

}  // namespace idml::data
