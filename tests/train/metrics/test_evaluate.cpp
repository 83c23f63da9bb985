// evaluate(): metric names and order, a perfect embedding scoring 1 everywhere,
// a tie decided by the lower-index rule with a lone query (a miss in R@K), the
// normalisation formula, and the errors.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "engine/error.h"
#include "train/metrics/evaluate.h"

namespace {

using idml::metrics::evaluate;
using idml::metrics::EvaluationOptions;

std::vector<std::string> names(const idml::metrics::EvaluationResult& result) {
  std::vector<std::string> out;
  for (const auto& [name, value] : result.metrics) out.push_back(name);
  return out;
}

TEST(Evaluate, PerfectEmbeddingScoresOneEverywhere) {
  // 5 classes of 6 along 5 orthogonal axes, small noise, arbitrary scale.
  const int64_t classes = 5, per_class = 6, d = 8, n = classes * per_class;
  std::mt19937_64 generator(2);
  std::normal_distribution<float> noise(0.0f, 0.01f);
  std::vector<float> embeddings;
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = i % classes;  // interleaved, so index order is no help
    for (int64_t j = 0; j < d; ++j) embeddings.push_back((j == c ? 3.0f : 0.0f) + noise(generator));
    labels.push_back(100 * c);
  }
  EvaluationOptions options;
  options.recall_ks = {1, 2, 4, 8};
  const auto result = evaluate(embeddings.data(), labels.data(), n, d, options);
  EXPECT_EQ(names(result), (std::vector<std::string>{"R@1", "R@2", "R@4", "R@8", "NMI", "F1", "RP", "MAP@R"}));
  for (const auto& [name, value] : result.metrics) EXPECT_NEAR(value, 1.0, 1e-12) << name;
  EXPECT_EQ(result.scored_queries, n);
  EXPECT_EQ(result.cluster_assignment.size(), static_cast<size_t>(n));
}

TEST(Evaluate, TieGoesToLowerIndexAndLoneQueryIsAMiss) {
  // p0 (1,0) A, p1 (0,1) B (lone), p2 (0,-1) A, p3 (-1,0) A; normalisation keeps them exact.
  // q0: p1 and p2 tie at 0 -> p1 (lower index, class B) first: miss at 1, hit at 2.
  // q2: p0 and p3 tie at 0 -> p0: hit.   q3: p1 and p2 tie at 0 -> p1: miss at 1, hit at 2.
  // q1 is lone: a miss at every K. R@1 = 1/4 (with ties to the higher index it would be 3/4);
  // R@2 = 3/4. RP and MAP@R leave q1 out.
  // R = 2 for the class A queries: RP = (1/2 + 1 + 1/2) / 3 = 2/3;
  // MAP@R = ((1/2)(1/2) + 1 + (1/2)(1/2)) / 3 = 1/2.
  const std::vector<float> embeddings = {1, 0, 0, 1, 0, -1, -1, 0};
  const std::vector<int64_t> labels = {0, 1, 0, 0};
  EvaluationOptions options;
  options.recall_ks = {1, 2};
  options.compute_clustering = false;
  const auto result = evaluate(embeddings.data(), labels.data(), 4, 2, options);
  EXPECT_EQ(names(result), (std::vector<std::string>{"R@1", "R@2", "RP", "MAP@R"}));
  EXPECT_DOUBLE_EQ(result.get("R@1"), 1.0 / 4);
  EXPECT_DOUBLE_EQ(result.get("R@2"), 3.0 / 4);
  EXPECT_DOUBLE_EQ(result.get("RP"), 2.0 / 3);
  EXPECT_DOUBLE_EQ(result.get("MAP@R"), 0.5);
  EXPECT_EQ(result.scored_queries, 3);
  EXPECT_THROW(result.get("NMI"), idml::Error);
  // Recall@1 per class: class 0 hits with q2 only, the lone class 1 misses.
  ASSERT_EQ(result.per_class.size(), 2u);
  EXPECT_EQ(result.per_class[0].label, 0);
  EXPECT_EQ(result.per_class[0].queries, 3);
  EXPECT_DOUBLE_EQ(result.per_class[0].recall_at_1, 1.0 / 3);
  EXPECT_EQ(result.per_class[1].queries, 1);
  EXPECT_DOUBLE_EQ(result.per_class[1].recall_at_1, 0.0);
}

TEST(Evaluate, RecallKBeyondNIsAllOthers) {
  const std::vector<float> embeddings = {1, 0, 0, 1, -1, 0.1f, 0.2f, -1};
  const std::vector<int64_t> labels = {0, 1, 0, 1};
  EvaluationOptions options;
  options.recall_ks = {1, 10, 1000};  // SOP's list on a tiny set
  options.compute_clustering = false;
  const auto result = evaluate(embeddings.data(), labels.data(), 4, 2, options);
  EXPECT_DOUBLE_EQ(result.get("R@10"), 1.0);
  EXPECT_DOUBLE_EQ(result.get("R@1000"), 1.0);
}

TEST(Evaluate, L2NormalizeFormula) {
  std::vector<float> rows = {3, 4, 0, 0};
  idml::metrics::l2_normalize(rows.data(), 2, 2);
  EXPECT_FLOAT_EQ(rows[0], 0.6f);
  EXPECT_FLOAT_EQ(rows[1], 0.8f);
  EXPECT_EQ(rows[2], 0.0f);  // x / sqrt(0 + 1e-12): zero stays zero, no NaN
  EXPECT_EQ(rows[3], 0.0f);
}

TEST(Evaluate, Errors) {
  const std::vector<float> embeddings = {1, 0, 0, 1, NAN, 0};
  const std::vector<int64_t> labels = {0, 0, 0};
  EXPECT_THROW(evaluate(embeddings.data(), labels.data(), 3, 2), idml::Error);  // NaN
  const std::vector<int64_t> distinct = {0, 1};
  EXPECT_THROW(evaluate(embeddings.data(), distinct.data(), 2, 2), idml::Error);  // all lone
  EXPECT_THROW(evaluate(embeddings.data(), labels.data(), 1, 2), idml::Error);    // n < 2
  EvaluationOptions options;
  options.recall_ks = {0};
  EXPECT_THROW(evaluate(embeddings.data(), labels.data(), 2, 2, options), idml::Error);
}

}  // namespace
