// Blocked GEMM kNN against the naive reference: exact equality on
// integer-valued points (inner products exact in float, many exact ties) and
// on random points, for several block sizes and thread counts; self exclusion
// by index and the lower-index tie rule, duplicates included.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <random>
#include <vector>

#include "engine/error.h"
#include "train/metrics/nearest_neighbours.h"
#include "tests/train/random_rows.h"

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

TEST(NearestNeighbours, BlockedEqualsReferenceExactlyOnRandomFloats) {
  // sgemm only shortlists; ranking by exact inner products makes the result
  // identical to the reference even where sgemm's rounding would swap neighbours.
  const int64_t n = 300, d = 16, k = 20;
  std::vector<float> points = idml::testing::random_rows(n, d, 3);
  const auto expected = nearest_neighbours_reference(points.data(), n, d, k);
  for (const int64_t block_rows : {1, 17, 0}) {
    SCOPED_TRACE(block_rows);
    const auto got = nearest_neighbours(points.data(), n, d, k, block_rows);
    EXPECT_EQ(got.indices, expected.indices);
    EXPECT_EQ(got.similarities, expected.similarities);
  }
}

TEST(NearestNeighbours, DuplicatesOfANeighbourTieExactlyAndGoByIndex) {
  // Rows 1, 21 and 42 are copies of one random vector. An sgemm (OpenBLAS's did) rounds
  // them differently in their matrix positions (in about half of the queries with
  // this shape and block size); ranked exactly, they tie and come out in index
  // order, next to each other, from every other query.
  const int64_t n = 43, d = 37;
  std::vector<float> points = idml::testing::random_rows(n, d, 5);
  for (const int64_t copy : {21, 42}) std::copy(points.begin() + d, points.begin() + 2 * d, points.begin() + copy * d);
  const auto got = nearest_neighbours(points.data(), n, d, n - 1, 16);
  for (int64_t query = 0; query < n; ++query) {
    if (query == 1 || query == 21 || query == 42) continue;
    SCOPED_TRACE(query);
    const int64_t* row = got.neighbours_of(query);
    const int64_t at = std::find(row, row + n - 1, 1) - row;
    ASSERT_LE(at, n - 4);
    EXPECT_EQ(row[at + 1], 21);
    EXPECT_EQ(row[at + 2], 42);
    EXPECT_EQ(got.similarities[query * (n - 1) + at], got.similarities[query * (n - 1) + at + 2]);
  }
}

TEST(NearestNeighbours, SameResultWhateverTheThreadCount) {
  const std::vector<float> points = idml::testing::random_rows(200, 32, 8);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = nearest_neighbours(points.data(), 200, 32, 15, 64);
  omp_set_num_threads(3);
  const auto three = nearest_neighbours(points.data(), 200, 32, 15, 64);
  omp_set_num_threads(threads);
  EXPECT_EQ(one.indices, three.indices);
  EXPECT_EQ(one.similarities, three.similarities);
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
