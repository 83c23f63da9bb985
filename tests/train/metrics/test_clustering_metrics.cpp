// NMI and pair-counting F1 on small labelings worked out by hand, and their
// limit cases (identical up to renaming, single cluster, independent).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "train/metrics/clustering_metrics.h"

namespace {

using idml::metrics::normalized_mutual_info;
using idml::metrics::pair_counting_f1;

TEST(ClusteringMetrics, HandWorkedExample) {
  // classes 0 0 0 1 1 1, clusters 0 0 1 1 2 2; contingency n_ij: class 0 -> {c0: 2, c1: 1},
  // class 1 -> {c1: 1, c2: 2}; a = (3, 3), b = (2, 2, 2), N = 6.
  // MI = 2 * (2/6) log(6*2 / (3*2)) + 2 * (1/6) log(6*1 / (3*2)) = (2/3) log 2
  // H(U) = log 2, H(V) = log 3, NMI = (2/3) log 2 / ((log 2 + log 3) / 2) = 0.5158037429793888 (sklearn)
  // F1: TP = C(2,2) + C(2,2) = 2; same-cluster pairs 3 * C(2,2) = 3; same-class pairs 2 * C(3,2) = 6;
  //     precision 2/3, recall 1/3, F1 = 2 (2/9) / 1 = 4/9.
  const std::vector<int64_t> classes = {0, 0, 0, 1, 1, 1};
  const std::vector<int64_t> clusters = {0, 0, 1, 1, 2, 2};
  EXPECT_NEAR(normalized_mutual_info(classes.data(), clusters.data(), 6), (4.0 / 3) * std::log(2.0) / std::log(6.0),
              1e-15);
  EXPECT_NEAR(normalized_mutual_info(classes.data(), clusters.data(), 6), 0.5158037429793888, 1e-15);
  EXPECT_NEAR(pair_counting_f1(classes.data(), clusters.data(), 6), 4.0 / 9, 1e-15);
}

TEST(ClusteringMetrics, IdenticalUpToRenamingScoresOne) {
  const std::vector<int64_t> classes = {10, 10, -3, -3, 7, 7, 7};
  const std::vector<int64_t> clusters = {2, 2, 0, 0, 1, 1, 1};
  EXPECT_NEAR(normalized_mutual_info(classes.data(), clusters.data(), 7), 1.0, 1e-15);
  EXPECT_DOUBLE_EQ(pair_counting_f1(classes.data(), clusters.data(), 7), 1.0);
}

TEST(ClusteringMetrics, LimitCasesFollowSklearn) {
  const std::vector<int64_t> one = {4, 4, 4, 4};
  const std::vector<int64_t> two = {0, 0, 1, 1};
  const std::vector<int64_t> crossed = {0, 1, 0, 1};  // independent of `two`
  EXPECT_DOUBLE_EQ(normalized_mutual_info(one.data(), one.data(), 4), 1.0);  // both unsplit: perfect
  EXPECT_DOUBLE_EQ(normalized_mutual_info(two.data(), one.data(), 4), 0.0);
  EXPECT_NEAR(normalized_mutual_info(two.data(), crossed.data(), 4), 0.0, 1e-15);
  EXPECT_DOUBLE_EQ(pair_counting_f1(two.data(), crossed.data(), 4), 0.0);  // no pair agrees
  // Everything in one cluster: precision = 2 / 6, recall = 1, F1 = 2 (1/3) / (4/3) = 1/2.
  EXPECT_DOUBLE_EQ(pair_counting_f1(two.data(), one.data(), 4), 0.5);
}

}  // namespace
