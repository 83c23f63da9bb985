// Recall@K, R-Precision and MAP@R on neighbour lists written by hand, with
// every expected value worked out in the comments; lone queries left out.
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

// labels 0 0 0 1 1 2; point 5 is alone in class 2 and is left out (5 scored queries).
//   query  R  neighbours   relevant within R   RP    AP@R                     first hit at
//   0      2  3 1 4 2 5    0 1                 1/2   (1/2)(1/2)     = 1/4     2
//   1      2  0 2 3 4 5    1 1                 1     (1/2)(1 + 1)   = 1       1
//   2      2  5 3 0 1 4    0 0                 0     0                        3
//   3      1  4 0 1 2 5    1                   1     1                        1
//   4      1  0 3 1 2 5    0                   0     0                        2
//   5      -  0 1 2 3 4    (lone: ignored)
const std::vector<int64_t> kLabels = {0, 0, 0, 1, 1, 2};
const NearestNeighbours kLists = lists(6, 5, {3, 1, 4, 2, 5, 0, 2, 3, 4, 5, 5, 3, 0, 1, 4,
                                              4, 0, 1, 2, 5, 0, 3, 1, 2, 5, 0, 1, 2, 3, 4});

TEST(RetrievalMetrics, HandWorkedExample) {
  EXPECT_DOUBLE_EQ(recall_at_k(kLists, kLabels.data(), 1), 2.0 / 5);
  EXPECT_DOUBLE_EQ(recall_at_k(kLists, kLabels.data(), 2), 4.0 / 5);
  EXPECT_DOUBLE_EQ(recall_at_k(kLists, kLabels.data(), 3), 5.0 / 5);
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

TEST(RetrievalMetrics, LoneQueriesAreLeftOutOfEveryMetric) {
  // Point 5 is lone: counted, it would make R@1 2/6 (no neighbour can match it).
  EXPECT_DOUBLE_EQ(recall_at_k(kLists, kLabels.data(), 1), 0.4);
  // All points lone: undefined.
  const std::vector<int64_t> distinct = {0, 1, 2, 3, 4, 5};
  EXPECT_THROW(recall_at_k(kLists, distinct.data(), 1), idml::Error);
  EXPECT_THROW(map_at_r(kLists, distinct.data()), idml::Error);
}

TEST(RetrievalMetrics, ChecksListLengths) {
  const NearestNeighbours short_lists = lists(6, 1, {3, 0, 5, 4, 0, 0});
  EXPECT_THROW(recall_at_k(short_lists, kLabels.data(), 2), idml::Error);  // K beyond the lists
  EXPECT_THROW(r_precision(short_lists, kLabels.data()), idml::Error);     // R = 2 > k = 1
  // Lists of all n - 1 others answer any K.
  EXPECT_DOUBLE_EQ(recall_at_k(kLists, kLabels.data(), 1000), 1.0);
}

}  // namespace
