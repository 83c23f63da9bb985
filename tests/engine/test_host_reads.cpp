// The count of host reads (engine/host_reads.h): value reads count on every
// device; index checks read nothing when the indices came from host values
// (their range is known), and read them otherwise; a bad index is an error
// either way.
#include <gtest/gtest.h>

#include "engine/host_reads.h"
#include "engine/ops.h"

namespace idml {
namespace {

TEST(HostReads, ValueReadsCount) {
  const Tensor t = from_vector<float>({1, 2, 3}, {3});
  const HostReadScope reads;
  t.to_vector<float>();
  sum(t).item();
  EXPECT_EQ(reads.reads(), 2u);
  t.to(Device::cpu());  // already there: no copy, no read
  EXPECT_EQ(reads.reads(), 2u);
}

TEST(HostReads, IndicesFromTheHostAreCheckedWithoutARead) {
  const Tensor x = from_vector<float>({10, 11, 12, 13}, {4, 1});
  const Tensor labels = from_vector<int64_t>({3, 0, 2}, {3});
  const Tensor picked = from_vector<int64_t>({2, 0}, {2});
  const HostReadScope reads;
  const Tensor rows = index_select(x, labels);
  const Tensor subset = index_select(labels, picked);  // values of `labels`: their range carries over
  const Tensor first = narrow(labels, 0, 0, 2);
  one_hot(subset, 4);
  one_hot(first, 4);
  EXPECT_EQ(reads.reads(), 0u);
  EXPECT_EQ(rows.to_vector<float>(), (std::vector<float>{13, 10, 12}));
}

TEST(HostReads, IndicesComputedOnTheDeviceAreRead) {
  const Tensor x = from_vector<float>({10, 11, 12}, {3, 1});
  const Tensor computed = from_vector<double>({2, 1}, {2}).to(DType::Int64);  // a kernel's output
  const HostReadScope reads;
  index_select(x, computed);
  EXPECT_EQ(reads.reads(), 1u);
  // A copy into a tensor with a known range drops it.
  const Tensor labels = from_vector<int64_t>({0, 1}, {2});
  labels.copy_(computed);
  one_hot(labels, 3);
  EXPECT_EQ(reads.reads(), 2u);
}

TEST(HostReads, OutOfRangeIndicesAreErrorsWhetherKnownOrRead) {
  const Tensor x = from_vector<float>({10, 11}, {2, 1});
  EXPECT_THROW(index_select(x, from_vector<int64_t>({0, 2}, {2})), Error);
  EXPECT_THROW(one_hot(from_vector<int64_t>({-1}, {1}), 3), Error);
  EXPECT_THROW(index_select(x, from_vector<double>({5}, {1}).to(DType::Int64)), Error);
  // A view inside a storage whose range exceeds the limit is checked by its values.
  const Tensor labels = from_vector<int64_t>({0, 1, 7}, {3});
  EXPECT_NO_THROW(one_hot(narrow(labels, 0, 0, 2), 2));
  EXPECT_THROW(one_hot(labels, 2), Error);
}

}  // namespace
}  // namespace idml
