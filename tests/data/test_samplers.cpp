// Batch samplers: shuffled with drop_last, balanced (IPC), sequential.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "data/samplers.h"
#include "engine/error.h"

namespace idml::data {
namespace {

TEST(ShuffledBatches, PermutationWithDropLastFixedBySeedAndEpoch) {
  const BatchList batches = shuffled_batches(103, 10, 5, 0);
  ASSERT_EQ(batches.size(), 10u);  // 3 dropped
  std::set<size_t> seen;
  for (const auto& b : batches) {
    EXPECT_EQ(b.size(), 10u);
    seen.insert(b.begin(), b.end());
  }
  EXPECT_EQ(seen.size(), 100u);  // no repeats
  EXPECT_EQ(batches, shuffled_batches(103, 10, 5, 0));
  EXPECT_NE(batches, shuffled_batches(103, 10, 5, 1));  // a new order each epoch
  EXPECT_NE(batches, shuffled_batches(103, 10, 6, 0));
  std::vector<size_t> identity(10);
  for (size_t i = 0; i < 10; ++i) identity[i] = i;
  EXPECT_NE(batches[0], identity);
}

TEST(BalancedBatches, ClassesWithoutReplacementImagesWithReplacement) {
  std::vector<int64_t> labels;
  for (int c = 0; c < 12; ++c) {
    for (int i = 0; i < (c == 3 ? 1 : 5); ++i) labels.push_back(c * 10);  // non-contiguous ids, class 30 has 1 image
  }
  const size_t batch = 12, ipc = 4;
  const BatchList batches = balanced_batches(labels, batch, ipc, 9, 2);
  ASSERT_EQ(batches.size(), labels.size() / batch);
  for (const auto& b : batches) {
    ASSERT_EQ(b.size(), batch);
    std::map<int64_t, int> per_class;
    for (size_t k = 0; k < b.size(); ++k) {
      ++per_class[labels[b[k]]];
      // Groups of ipc consecutive samples share a class.
      EXPECT_EQ(labels[b[k]], labels[b[k - k % ipc]]);
    }
    EXPECT_EQ(per_class.size(), batch / ipc);  // distinct classes
    for (const auto& entry : per_class) EXPECT_EQ(entry.second, static_cast<int>(ipc));
  }
  EXPECT_EQ(batches, balanced_batches(labels, batch, ipc, 9, 2));
  EXPECT_NE(batches, balanced_batches(labels, batch, ipc, 9, 3));
}

TEST(BalancedBatches, InvalidConfigurationsAreErrors) {
  const std::vector<int64_t> labels{0, 0, 1, 1};
  EXPECT_THROW(balanced_batches(labels, 4, 3, 0, 0), Error);  // 4 not a multiple of 3
  EXPECT_THROW(balanced_batches(labels, 4, 1, 0, 0), Error);  // needs 4 classes
}

TEST(SequentialBatches, DatasetOrderKeepingTheShortLastBatch) {
  const BatchList batches = sequential_batches(7, 3);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0], (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(batches[2], (std::vector<size_t>{6}));
  EXPECT_TRUE(sequential_batches(0, 3).empty());
}

}  // namespace
}  // namespace idml::data
