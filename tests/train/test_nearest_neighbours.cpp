// Blocked GEMM kNN against the naive reference: exact equality on
// integer-valued points (inner products exact in float, many exact ties),
// agreement within float rounding on random points, for several block sizes;
// self exclusion by index and the lower-index tie rule.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "engine/error.h"
#include "train/metrics/nearest_neighbours.h"

namespace {

using idml::metrics::nearest_neighbours;
using idml::metrics::nearest_neighbours_reference;

std::vector<float> integer_points(int64_t n, int64_t d, uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::vector<float> points(static_cast<size_t>(n * d));
  for (auto& x : points) x = static_cast<float>(static_cast<int>(generator() % 5) - 2);  // {-2..2}
  return points;
}

TEST(NearestNeighbours, BlockedEqualsReferenceExactlyWithTies) {
  const int64_t n = 97, d = 6, k = 12;
  const auto points = integer_points(n, d, 7);
  const auto expected = nearest_neighbours_reference(points.data(), n, d, k);
  for (const int64_t block_rows : {1, 5, 32, 0, 97, 500}) {
    SCOPED_TRACE(block_rows);
    const auto got = nearest_neighbours(points.data(), n, d, k, block_rows);
    EXPECT_EQ(got.n, n);
    EXPECT_EQ(got.k, k);
    EXPECT_EQ(got.indices, expected.indices);
    EXPECT_EQ(got.similarities, expected.similarities);
  }
}

TEST(NearestNeighbours, BlockedMatchesReferenceOnRandomFloats) {
  const int64_t n = 300, d = 16, k = 20;
  std::mt19937_64 generator(3);
  std::normal_distribution<float> normal;
  std::vector<float> points(static_cast<size_t>(n * d));
  for (auto& x : points) x = normal(generator);
  const auto expected = nearest_neighbours_reference(points.data(), n, d, k);
  for (const int64_t block_rows : {1, 17, 0}) {
    SCOPED_TRACE(block_rows);
    const auto got = nearest_neighbours(points.data(), n, d, k, block_rows);
    for (size_t i = 0; i < got.indices.size(); ++i) {
      ASSERT_NEAR(got.similarities[i], expected.similarities[i], 1e-4);
      // An index may differ only where two similarities are within float rounding.
      if (got.indices[i] != expected.indices[i]) {
        EXPECT_NEAR(got.similarities[i], expected.similarities[i], 1e-5) << "row " << i / k;
      }
    }
  }
}

TEST(NearestNeighbours, SelfExcludedByIndexDuplicatesStillNeighbours) {
  // Points 0, 2 and 3 are identical; 1 is orthogonal.
  const std::vector<float> points = {1, 0, 0, 1, 1, 0, 1, 0};
  const auto got = nearest_neighbours(points.data(), 4, 2, 3);
  EXPECT_EQ(std::vector<int64_t>(got.neighbours_of(0), got.neighbours_of(0) + 3), (std::vector<int64_t>{2, 3, 1}));
  EXPECT_EQ(std::vector<int64_t>(got.neighbours_of(2), got.neighbours_of(2) + 3), (std::vector<int64_t>{0, 3, 1}));
  EXPECT_EQ(std::vector<int64_t>(got.neighbours_of(1), got.neighbours_of(1) + 3), (std::vector<int64_t>{0, 2, 3}));
  EXPECT_EQ(got.similarities[0], 1.0f);
}

TEST(NearestNeighbours, TiesGoToTheLowerIndex) {
  // From the query (1, 0): points 1..4 all have similarity 0.
  const std::vector<float> points = {1, 0, 0, 1, 0, -1, 0, 1, 0, -1, -1, 0};
  const auto got = nearest_neighbours(points.data(), 6, 2, 5, 2);
  EXPECT_EQ(std::vector<int64_t>(got.neighbours_of(0), got.neighbours_of(0) + 5), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  // From (-1, 0): 0 is last; the zeros in index order.
  EXPECT_EQ(std::vector<int64_t>(got.neighbours_of(5), got.neighbours_of(5) + 5), (std::vector<int64_t>{1, 2, 3, 4, 0}));
}

TEST(NearestNeighbours, RejectsBadK) {
  const std::vector<float> points = {1, 0, 0, 1, 1, 1};
  EXPECT_THROW(nearest_neighbours(points.data(), 3, 2, 3), idml::Error);  // k > n - 1
  EXPECT_THROW(nearest_neighbours(points.data(), 3, 2, 0), idml::Error);
  EXPECT_THROW(nearest_neighbours(points.data(), 1, 2, 1), idml::Error);
}

}  // namespace
