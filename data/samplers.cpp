// Batch samplers; see samplers.h.
#include "data/samplers.h"

#include <map>
#include <numeric>

#include "data/sample_random.h"
#include "engine/error.h"

namespace idml::data {
namespace {

// Stream ids past any sample index, so sampler draws never share a stream
// with a sample's augmentation.
constexpr uint64_t kShuffleStream = ~uint64_t{0};
constexpr uint64_t kBalancedStream = ~uint64_t{0} - 1;

}  // namespace

BatchList shuffled_batches(size_t dataset_size, size_t batch_size, uint64_t seed, uint64_t epoch) {
  IDML_CHECK(batch_size > 0, "shuffled_batches: batch size must be positive");
  std::vector<size_t> order(dataset_size);
  std::iota(order.begin(), order.end(), size_t{0});
  SampleRandom random = SampleRandom::for_sample(seed, epoch, kShuffleStream);
  for (size_t i = dataset_size; i > 1; --i) std::swap(order[i - 1], order[random.below(i)]);  // Fisher-Yates
  BatchList batches(dataset_size / batch_size);  // drop_last
  for (size_t b = 0; b < batches.size(); ++b) {
    batches[b].assign(order.begin() + b * batch_size, order.begin() + (b + 1) * batch_size);
  }
  return batches;
}

BatchList balanced_batches(const std::vector<int64_t>& labels, size_t batch_size,
                           size_t images_per_class, uint64_t seed, uint64_t epoch) {
  IDML_CHECK(images_per_class > 0 && batch_size % images_per_class == 0, "balanced sampling: batch size ",
             batch_size, " is not a multiple of --IPC ", images_per_class);
  std::map<int64_t, std::vector<size_t>> by_class;
  for (size_t i = 0; i < labels.size(); ++i) by_class[labels[i]].push_back(i);
  std::vector<const std::vector<size_t>*> classes;
  for (const auto& entry : by_class) classes.push_back(&entry.second);
  const size_t groups = batch_size / images_per_class;
  IDML_CHECK(groups <= classes.size(), "balanced sampling: a batch of ", batch_size, " with --IPC ",
             images_per_class, " needs ", groups, " classes, the dataset has ", classes.size());
  SampleRandom random = SampleRandom::for_sample(seed, epoch, kBalancedStream);
  BatchList batches(labels.size() / batch_size);
  std::vector<size_t> class_order(classes.size());
  for (auto& batch : batches) {
    // `groups` distinct classes: the first `groups` steps of a Fisher-Yates shuffle.
    std::iota(class_order.begin(), class_order.end(), size_t{0});
    for (size_t g = 0; g < groups; ++g) {
      std::swap(class_order[g], class_order[g + random.below(class_order.size() - g)]);
      const std::vector<size_t>& members = *classes[class_order[g]];
      for (size_t k = 0; k < images_per_class; ++k) batch.push_back(members[random.below(members.size())]);
    }
  }
  return batches;
}

BatchList sequential_batches(size_t dataset_size, size_t batch_size) {
  IDML_CHECK(batch_size > 0, "sequential_batches: batch size must be positive");
  BatchList batches;
  for (size_t start = 0; start < dataset_size; start += batch_size) {
    std::vector<size_t> batch(std::min(batch_size, dataset_size - start));
    std::iota(batch.begin(), batch.end(), start);
    batches.push_back(std::move(batch));
  }
  return batches;
}

}  // namespace idml::data
