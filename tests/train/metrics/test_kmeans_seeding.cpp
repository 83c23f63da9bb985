// Greedy k-means++ on a hand-worked case with scripted uniform draws: the
// candidate that lowers the potential most wins (not the first drawn, as
// plain k-means++ would take), ties go to the first drawn, and draws follow
// numpy's searchsorted on the cumulative D^2.
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "engine/error.h"
#include "train/metrics/kmeans_seeding.h"

namespace {

using idml::metrics::greedy_kmeans_plusplus;
using idml::metrics::InnerProducts;

// Returns the scripted values in order; fails the test if asked for more.
std::function<double()> scripted(std::vector<double> values) {
  auto next = std::make_shared<size_t>(0);
  return [values, next] {
    EXPECT_LT(*next, values.size()) << "more draws than scripted";
    return *next < values.size() ? values[(*next)++] : 0.0;
  };
}

// Five points on a line (d = 1): 0, 1, 10, 11, 30.
const std::vector<float> kPoints = {0, 1, 10, 11, 30};

std::vector<int64_t> seed(int64_t k, int64_t candidates, std::vector<double> draws) {
  const InnerProducts products;
  return greedy_kmeans_plusplus(products, products.matrix(kPoints.data(), 5, 1), k, candidates,
                                scripted(std::move(draws)));
}

TEST(GreedyKMeansPlusPlus, CandidateCountIsTwoPlusLogK) {
  EXPECT_EQ(idml::metrics::greedy_seeding_candidates(1), 2);
  EXPECT_EQ(idml::metrics::greedy_seeding_candidates(12), 4);       // 2 + floor(2.48)
  EXPECT_EQ(idml::metrics::greedy_seeding_candidates(100), 6);      // 2 + floor(4.61)
  EXPECT_EQ(idml::metrics::greedy_seeding_candidates(11316), 11);   // SOP: 2 + floor(9.33)
}

TEST(GreedyKMeansPlusPlus, KeepsTheCandidateThatLowersThePotentialMost) {
  // First centre: floor(0.0 * 5) = point 0 (x = 0). D^2 = 0 1 100 121 900, cumulative 0 1 101 222 1122.
  // Draw 0.05: target 56.1 -> first cumulative >= it is index 2 (x = 10);
  // draw 0.5: target 561 -> index 4 (x = 30).
  // Potential with x = 10: 0 + 1 + 0 + 1 + 400 = 402; with x = 30: 0 + 1 + 100 + 121 + 0 = 222.
  // Greedy keeps x = 30 (index 4); plain k-means++ (one candidate) keeps the first draw, x = 10.
  EXPECT_EQ(seed(2, 2, {0.0, 0.05, 0.5}), (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(seed(2, 1, {0.0, 0.05}), (std::vector<int64_t>{0, 2}));
}

TEST(GreedyKMeansPlusPlus, ThirdCentreAndTiesToTheFirstDrawn) {
  // After centres 0 and 30: D^2 = 0 1 100 121 0, cumulative 0 1 101 222 222.
  // Draw 0.2: target 44.4 -> index 2 (x = 10); draw 0.99: target 219.78 -> index 3 (x = 11).
  // Potentials: x = 10 -> 0 + 1 + 0 + 1 + 0 = 2; x = 11 -> 0 + 1 + 1 + 0 + 0 = 2: a tie, the first drawn wins.
  EXPECT_EQ(seed(3, 2, {0.0, 0.05, 0.5, 0.2, 0.99}), (std::vector<int64_t>{0, 4, 2}));
  EXPECT_EQ(seed(3, 2, {0.0, 0.05, 0.5, 0.99, 0.2}), (std::vector<int64_t>{0, 4, 3}));
  // Draw 0.003: target 0.666 -> index 1 (x = 1): potential 0 + 0 + 81 + 100 + 0 = 181 > 2, so x = 10 wins.
  EXPECT_EQ(seed(3, 2, {0.0, 0.05, 0.5, 0.003, 0.2}), (std::vector<int64_t>{0, 4, 2}));
}

TEST(GreedyKMeansPlusPlus, ExactTargetsAndTheLastPoint) {
  // First draw 0.999 -> floor(4.995) = point 4 (x = 30). D^2 = 900 841 400 361 0,
  // cumulative 900 1741 2141 2502 2502. Target 0.36 * 2502 = 900.72 -> index 1; target exactly
  // 900 (draw 900/2502) -> index 0 (searchsorted "left": the first cumulative >= target).
  EXPECT_EQ(seed(2, 1, {0.999, 0.36}), (std::vector<int64_t>{4, 1}));
  EXPECT_EQ(seed(2, 1, {0.999, 900.0 / 2502.0}), (std::vector<int64_t>{4, 0}));
}

TEST(GreedyKMeansPlusPlus, RejectsBadK) {
  const InnerProducts products;
  const auto matrix = products.matrix(kPoints.data(), 5, 1);
  EXPECT_THROW(greedy_kmeans_plusplus(products, matrix, 6, 2, scripted({})), idml::Error);
  EXPECT_THROW(greedy_kmeans_plusplus(products, matrix, 0, 2, scripted({})), idml::Error);
}

}  // namespace
