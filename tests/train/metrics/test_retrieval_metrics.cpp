// Recall@K, R-Precision and MAP@R on neighbour lists written by hand, with
// every expected value worked out in the comments; lone queries are misses
// in Recall@K (denominator = all queries) and left out of RP and MAP@R.
#include <gtest/gtest.h>

#include <vector>

#include "engine/error.h"
#include "train/metrics/retrieval_metrics.h"

namespace {

using idml::metrics::map_at_r;
using idml::metrics::NearestNeighbours;
using idml::metrics::r_precision;
using idml::metrics::recall_at_k;

NearestNeighbours lists(int64_t n, int64_t k, std::vector<int64_t> indices) {
  NearestNeighbours neighbours;
  neighbours.n = n;
  neighbours.k = k;
  neighbours.indices = std::move(indices);
  neighbours.similarities.assign(neighbours.indices.size(), 0.0f);
  return neighbours;
}

// labels 0 0 0 1 1 2; point 5 is alone in class 2: a miss in Recall@K (6 queries),
// left out of RP and MAP@R (5 scored queries).
//   query  R  neighbours   relevant within R   RP    AP@R                     first hit at
//   0      2  3 1 4 2 5    0 1                 1/2   (1/2)(1/2)     = 1/4     2
//   1      2  0 2 3 4 5    1 1                 1     (1/2)(1 + 1)   = 1       1
//   2      2  5 3 0 1 4    0 0                 0     0                        3
//   3      1  4 0 1 2 5    1                   1     1                        1
//   4      1  0 3 1 2 5    0                   0     0                        2
//   5      -  0 1 2 3 4    (lone: RP/MAP@R ignore it)    never
const std::vector<int64_t> kLabels = {0, 0, 0, 1, 1, 2};
const NearestNeighbours kLists = lists(6, 5, {3, 1, 4, 2, 5, 0, 2, 3, 4, 5, 5, 3, 0, 1, 4,
                                              4, 0, 1, 2, 5, 0, 3, 1, 2, 5, 0, 1, 2, 3, 4});

TEST(RetrievalMetrics, HandWorkedExample) {
  EXPECT_DOUBLE_EQ(recall_at_k(kLists, kLabels.data(), 1), 2.0 / 6);
  EXPECT_DOUBLE_EQ(recall_at_k(kLists, kLabels.data(), 2), 4.0 / 6);
  EXPECT_DOUBLE_EQ(recall_at_k(kLists, kLabels.data(), 3), 5.0 / 6);
  EXPECT_DOUBLE_EQ(r_precision(kLists, kLabels.data()), (0.5 + 1 + 0 + 1 + 0) / 5);
  EXPECT_DOUBLE_EQ(map_at_r(kLists, kLabels.data()), (0.25 + 1 + 0 + 1 + 0) / 5);
}

TEST(RetrievalMetrics, MapAtRRewardsEarlyHits) {
  // One query of class 0 with R = 4 others; hits at ranks 1, 3, 4 (rank 2 and 5 misses):
  //   RP = 3/4, MAP@R = (1/4)(1/1 + 2/3 + 3/4) = 29/48.
  // Neighbours of the class-0 others are irrelevant here: give them a miss first, then hits.
  const std::vector<int64_t> labels = {0, 0, 1, 0, 0, 1, 0};
  NearestNeighbours neighbours = lists(7, 6, {1, 2, 3, 4, 5, 6,   // query 0: hit miss hit hit | miss hit
                                              0, 3, 4, 6, 2, 5,   // query 1: all 4 hits
                                              5, 0, 1, 3, 4, 6,   // query 2 (class 1, R=1): hit
                                              0, 1, 4, 6, 2, 5,   // query 3: 4 hits
                                              0, 1, 3, 6, 2, 5,   // query 4: 4 hits
                                              0, 1, 3, 4, 6, 2,   // query 5 (R=1): miss
                                              0, 1, 3, 4, 2, 5}); // query 6: 4 hits
  // RP: (3/4 + 1 + 1 + 1 + 1 + 0 + 1) / 7; MAP@R: (29/48 + 1 + 1 + 1 + 1 + 0 + 1) / 7.
  EXPECT_DOUBLE_EQ(r_precision(neighbours, labels.data()), (0.75 + 5) / 7);
  EXPECT_DOUBLE_EQ(map_at_r(neighbours, labels.data()), (29.0 / 48 + 5) / 7);
}

TEST(RetrievalMetrics, LoneQueriesAreMissesInRecallOnly) {
  // Point 5 is lone: it counts in Recall@K's denominator and can never be a hit,
  // even with every other point in its list: R@5 = 5/6, not 1. Left out, R@1 would be 2/5.
  EXPECT_DOUBLE_EQ(recall_at_k(kLists, kLabels.data(), 1), 2.0 / 6);
  EXPECT_DOUBLE_EQ(recall_at_k(kLists, kLabels.data(), 5), 5.0 / 6);
  // RP and MAP@R average over the 5 queries with R >= 1 (the HandWorkedExample values).
  EXPECT_DOUBLE_EQ(r_precision(kLists, kLabels.data()), 2.5 / 5);
  // Three lone classes of one point each among 30 queries (the case): with 27 hits at
  // K = 1 among the others, R@1 = 27/30, where leaving the lone ones out would give 27/27.
  std::vector<int64_t> labels, indices;
  for (int64_t q = 0; q < 30; ++q) labels.push_back(q < 27 ? q / 3 : 100 + q);  // 9 classes of 3, then 3 lone
  for (int64_t q = 0; q < 30; ++q) {
    const int64_t partner = q < 27 ? (q / 3) * 3 + (q % 3 + 1) % 3 : 0;  // a same-class point, or 0
    indices.push_back(partner);
  }
  EXPECT_DOUBLE_EQ(recall_at_k(lists(30, 1, indices), labels.data(), 1), 27.0 / 30);
  // All points lone: Recall@K is 0, RP and MAP@R are undefined.
  const std::vector<int64_t> distinct = {0, 1, 2, 3, 4, 5};
  EXPECT_DOUBLE_EQ(recall_at_k(kLists, distinct.data(), 1), 0.0);
  EXPECT_THROW(r_precision(kLists, distinct.data()), idml::Error);
  EXPECT_THROW(map_at_r(kLists, distinct.data()), idml::Error);
}

TEST(RetrievalMetrics, ChecksListLengths) {
  const NearestNeighbours short_lists = lists(6, 1, {3, 0, 5, 4, 0, 0});
  EXPECT_THROW(recall_at_k(short_lists, kLabels.data(), 2), idml::Error);  // K beyond the lists
  EXPECT_THROW(r_precision(short_lists, kLabels.data()), idml::Error);     // R = 2 > k = 1
  // Lists of all n - 1 others answer any K (the lone point 5 stays a miss).
  EXPECT_DOUBLE_EQ(recall_at_k(kLists, kLabels.data(), 1000), 5.0 / 6);
}

}  // namespace
