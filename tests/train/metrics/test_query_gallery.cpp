// Queries searched among a gallery (the In-shop protocol): the blocked kNN
// against its naive reference, evaluate_query_gallery() against a naive
// implementation of every metric (and of the Proxy-Anchor code's Recall@K
// rule), a hand-worked case, the per-class Recall@1, and goldens from
// pytorch-metric-learning's AccuracyCalculator with separate query and
// reference sets (golden/make_query_gallery_goldens.py).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <set>
#include <random>

#include <nlohmann/json.hpp>

#include "engine/error.h"
#include "io/npy.h"
#include "train/metrics/evaluate.h"
#include "train/metrics/nearest_neighbours.h"

namespace idml::metrics {
namespace {

struct Points {
  std::vector<float> x;
  std::vector<int64_t> labels;
  int64_t n = 0;
};

// `n` noisy points of classes drawn from `classes`; the class centres are the same for every call, so sets share them.
Points noisy_points(int64_t n, int64_t d, const std::vector<int64_t>& classes, uint64_t seed) {
  std::mt19937_64 centre_gen(99), gen(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> centres(static_cast<size_t>(100 * d));
  for (float& c : centres) c = normal(centre_gen);
  Points p;
  p.n = n;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = classes[static_cast<size_t>(gen() % classes.size())];
    for (int64_t j = 0; j < d; ++j) p.x.push_back(centres[static_cast<size_t>(c * d + j)] + 1.3f * normal(gen));
    p.labels.push_back(c);
  }
  return p;
}

std::vector<float> normalized(const Points& p, int64_t d) {
  std::vector<float> x = p.x;
  l2_normalize(x.data(), p.n, d);
  return x;
}

// Every metric by its definition, from a full double-precision ranking (ties to the lower gallery index).
std::map<std::string, double> naive_metrics(const Points& q, const Points& g, int64_t d,
                                            const std::vector<int64_t>& ks) {
  const std::vector<float> qx = normalized(q, d), gx = normalized(g, d);
  std::map<std::string, double> out;
  double rp = 0, map_r = 0;
  int64_t scored = 0;
  std::vector<int64_t> hits(ks.size(), 0), reference_rule_hits(ks.size(), 0);
  for (int64_t i = 0; i < q.n; ++i) {
    std::vector<std::pair<double, int64_t>> row;
    for (int64_t j = 0; j < g.n; ++j) {
      double s = 0;
      for (int64_t c = 0; c < d; ++c) s += double(qx[i * d + c]) * gx[j * d + c];
      row.emplace_back(-s, j);
    }
    std::sort(row.begin(), row.end());
    const int64_t y = q.labels[i];
    int64_t first_hit = -1, r = 0;
    double best_same = -std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j < g.n; ++j) {
      r += g.labels[j] == y;
      if (g.labels[row[j].second] == y && first_hit < 0) first_hit = j, best_same = -row[j].first;
    }
    int64_t others_above = 0;  // the Proxy-Anchor rule: other-class samples more similar than the best same-class one
    for (int64_t j = 0; j < g.n; ++j) others_above += g.labels[row[j].second] != y && -row[j].first > best_same;
    for (size_t k = 0; k < ks.size(); ++k) {
      hits[k] += first_hit >= 0 && first_hit < ks[k];
      reference_rule_hits[k] += first_hit >= 0 && others_above < ks[k];
    }
    if (r == 0) continue;
    ++scored;
    int64_t relevant = 0;
    double precision_sum = 0;
    for (int64_t j = 0; j < r; ++j)
      if (g.labels[row[j].second] == y) precision_sum += double(++relevant) / double(j + 1);
    rp += double(relevant) / r;
    map_r += precision_sum / r;
  }
  for (size_t k = 0; k < ks.size(); ++k) {
    out["R@" + std::to_string(ks[k])] = double(hits[k]) / q.n;
    out["reference rule R@" + std::to_string(ks[k])] = double(reference_rule_hits[k]) / q.n;
  }
  out["RP"] = rp / scored;
  out["MAP@R"] = map_r / scored;
  return out;
}

TEST(QueryGallery, BlockedSearchEqualsTheNaiveOneAndExcludesNothing) {
  const int64_t d = 12;
  Points q = noisy_points(57, d, {0, 1, 2, 3, 4, 5}, 1), g = noisy_points(83, d, {0, 1, 2, 3, 4, 5, 6}, 2);
  std::copy(g.x.begin() + 5 * d, g.x.begin() + 6 * d, q.x.begin() + 3 * d);  // query 3 is gallery sample 5
  for (const int64_t block_rows : {0, 1, 7, 57}) {
    const auto got = nearest_neighbours_among(q.x.data(), q.n, g.x.data(), g.n, d, 20, block_rows);
    const auto want = nearest_neighbours_among_reference(q.x.data(), q.n, g.x.data(), g.n, d, 20);
    EXPECT_EQ(got.n, q.n);
    EXPECT_EQ(got.indices, want.indices) << "block_rows " << block_rows;
    EXPECT_EQ(got.similarities, want.similarities);
    EXPECT_EQ(got.neighbours_of(3)[0], 5) << "an identical gallery sample is the first neighbour, not excluded";
  }
  const auto whole = nearest_neighbours_among(q.x.data(), q.n, g.x.data(), g.n, d, g.n);  // k = every reference
  EXPECT_EQ(whole.k, g.n);
  EXPECT_THROW(nearest_neighbours_among(q.x.data(), q.n, g.x.data(), g.n, d, g.n + 1), Error);
  EXPECT_THROW(nearest_neighbours_among(q.x.data(), 0, g.x.data(), g.n, d, 1), Error);
}

TEST(QueryGallery, EveryMetricEqualsItsNaiveDefinitionWithLoneQueries) {
  // Class 7 has queries but no gallery sample: misses in R@K, left out of RP and MAP@R.
  const int64_t d = 10;
  const Points q = noisy_points(90, d, {0, 1, 2, 3, 4, 7}, 3), g = noisy_points(70, d, {0, 1, 2, 3, 4, 5}, 4);
  const std::vector<int64_t> ks = {1, 10, 20, 30, 40, 50, 1000};
  EvaluationOptions options;
  options.recall_ks = ks;
  options.compute_clustering = false;
  for (const int64_t block_rows : {0, 9}) {
    options.block_rows = block_rows;
    const EvaluationResult result =
        evaluate_query_gallery(q.x.data(), q.labels.data(), q.n, g.x.data(), g.labels.data(), g.n, d, options);
    const auto want = naive_metrics(q, g, d, ks);
    for (const auto& [name, value] : result.metrics) {
      EXPECT_NEAR(value, want.at(name), 1e-12) << name;
      if (name[0] == 'R' && name[1] == '@') {
        EXPECT_NEAR(value, want.at("reference rule " + name), 1e-12) << name;
      }
    }
    EXPECT_DOUBLE_EQ(result.get("R@1000"), want.at("R@1000")) << "K beyond the gallery: the whole gallery";
    EXPECT_LT(result.get("R@1000"), 1.0) << "the lone queries are misses";
    int64_t lone = 0;
    for (int64_t label : q.labels) lone += label == 7;
    EXPECT_EQ(result.scored_queries, q.n - lone);
  }
}

TEST(QueryGallery, HandWorkedCaseAndPerClassRecall) {
  // Gallery on the unit circle: g0 (1,0) A, g1 (0,1) B, g2 (-1,0) A, g3 (0,-1) B.
  // q0 = (1, 0.2) A: g0 0.98, g1 0.196, g3 -0.196, g2 -0.98 -> hit at 1; R = 2: RP 1/2, AP (1)/2 = 1/2.
  // q1 = (0.1, 1) A: g1, g0, g2, g3 -> miss at 1, hit at 2; RP 1/2, AP (1/2)/2 = 1/4.
  // q2 = (-0.2, -1) B: g3 first -> hit; then g2 (A), g0 (A)... R = 2: RP 1/2, AP 1/2.
  // q3 = (5, 5) C: no C in the gallery: a miss everywhere, left out of RP / MAP@R.
  const std::vector<float> gallery = {1, 0, 0, 1, -1, 0, 0, -1};
  const std::vector<int64_t> gallery_labels = {0, 1, 0, 1};
  const std::vector<float> queries = {1, 0.2f, 0.1f, 1, -0.2f, -1, 5, 5};
  const std::vector<int64_t> query_labels = {0, 0, 1, 2};
  EvaluationOptions options;
  options.recall_ks = {1, 2};
  options.compute_clustering = false;
  const EvaluationResult r =
      evaluate_query_gallery(queries.data(), query_labels.data(), 4, gallery.data(), gallery_labels.data(), 4, 2, options);
  EXPECT_DOUBLE_EQ(r.get("R@1"), 2.0 / 4);
  EXPECT_DOUBLE_EQ(r.get("R@2"), 3.0 / 4);
  EXPECT_DOUBLE_EQ(r.get("RP"), 1.5 / 3);
  EXPECT_DOUBLE_EQ(r.get("MAP@R"), 1.25 / 3);
  EXPECT_EQ(r.scored_queries, 3);
  ASSERT_EQ(r.per_class.size(), 3u);
  EXPECT_EQ(r.per_class[0].label, 0);
  EXPECT_EQ(r.per_class[0].queries, 2);
  EXPECT_DOUBLE_EQ(r.per_class[0].recall_at_1, 0.5);
  EXPECT_DOUBLE_EQ(r.per_class[1].recall_at_1, 1.0);
  EXPECT_DOUBLE_EQ(r.per_class[2].recall_at_1, 0.0);
}

TEST(QueryGallery, ClusteringCoversQueriesAndGalleryTogether) {
  const int64_t d = 8;
  const Points q = noisy_points(30, d, {0, 1, 2}, 5), g = noisy_points(20, d, {0, 1, 2, 3}, 6);
  EvaluationOptions options;
  options.recall_ks = {1};
  const EvaluationResult r =
      evaluate_query_gallery(q.x.data(), q.labels.data(), q.n, g.x.data(), g.labels.data(), g.n, d, options);
  EXPECT_EQ(r.cluster_assignment.size(), static_cast<size_t>(q.n + g.n));
  std::set<int64_t> classes(q.labels.begin(), q.labels.end());
  classes.insert(g.labels.begin(), g.labels.end());
  EXPECT_EQ(std::set<int64_t>(r.cluster_assignment.begin(), r.cluster_assignment.end()).size(), classes.size())
      << "as many clusters as classes in the queries and the gallery together";
  EXPECT_GT(r.get("NMI"), 0.0);
}

TEST(QueryGallery, BadInputIsAnErrorNamingIt) {
  const std::vector<float> x = {1, 0, 0, 1};
  const std::vector<int64_t> a = {0, 0}, b = {1, 1};
  auto message = [](auto f) {
    try {
      f();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([&] { evaluate_query_gallery(x.data(), a.data(), 2, x.data(), b.data(), 2, 2); })
                .find("none of the 2 queries has its class among the 2 gallery samples"),
            std::string::npos);
  const std::vector<float> nan = {1, std::nanf("")};
  EXPECT_NE(message([&] { evaluate_query_gallery(x.data(), a.data(), 2, nan.data(), a.data(), 1, 2); })
                .find("gallery embedding 0 has a non-finite value"),
            std::string::npos);
  EXPECT_NE(message([&] { evaluate_query_gallery(x.data(), a.data(), 0, x.data(), a.data(), 2, 2); })
                .find("at least 1 query and 1 gallery"),
            std::string::npos);
}

std::string golden(const std::string& name) { return std::string(IDML_TRAIN_GOLDEN_DIR) + "/" + name; }

TEST(QueryGallery, MatchesPytorchMetricLearningWithSeparateReferenceSet) {
  const auto q = npy::read_npy_float32(golden("query_gallery_queries.npy"));
  const auto q_labels = npy::read_npy_int64(golden("query_gallery_query_labels.npy"));
  const auto g = npy::read_npy_float32(golden("query_gallery_gallery.npy"));
  const auto g_labels = npy::read_npy_int64(golden("query_gallery_gallery_labels.npy"));
  std::ifstream file(golden("query_gallery_expected.json"));
  const nlohmann::json expected = nlohmann::json::parse(file);
  EvaluationOptions options;
  options.recall_ks = {1, 10, 20, 30, 40, 50};
  options.compute_clustering = false;
  const EvaluationResult r = evaluate_query_gallery(q.values.data(), q_labels.values.data(), q.shape[0],
                                                    g.values.data(), g_labels.values.data(), g.shape[0], q.shape[1],
                                                    options);
  ASSERT_EQ(r.metrics.size(), 8u);
  for (const auto& [name, value] : r.metrics) EXPECT_NEAR(value, expected.at(name).get<double>(), 1e-6) << name;
  EXPECT_NEAR(r.get("R@1"), expected.at("pml_precision_at_1").get<double>(), 1e-6);
  double weighted = 0;
  for (const ClassRecall& c : r.per_class) weighted += c.recall_at_1 * c.queries;
  EXPECT_NEAR(weighted / q.shape[0], r.get("R@1"), 1e-12) << "the per-class breakdown averages to R@1";
}

}  // namespace
}  // namespace idml::metrics
