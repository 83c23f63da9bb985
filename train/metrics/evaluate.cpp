// evaluate(): normalise, kNN once with K = max(max recall K, largest class
// size - 1) capped at n - 1, then every retrieval metric from the same lists;
// k-means with k = number of distinct labels for NMI and F1.
#include "train/metrics/evaluate.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

#include "engine/error.h"
#include "train/metrics/clustering_metrics.h"
#include "train/metrics/kmeans.h"
#include "train/metrics/nearest_neighbours.h"
#include "train/metrics/retrieval_metrics.h"

namespace idml::metrics {

double EvaluationResult::get(const std::string& name) const {
  for (const auto& [key, value] : metrics) {
    if (key == name) return value;
  }
  IDML_CHECK(false, "evaluation result has no metric '", name, "'");
  return 0.0;
}

void l2_normalize(float* rows, int64_t n, int64_t d) {
#pragma omp parallel for schedule(static) if (n * d > 32768)
  for (int64_t i = 0; i < n; ++i) {
    float* row = rows + i * d;
    double sum = 0.0;
    for (int64_t c = 0; c < d; ++c) sum += double(row[c]) * double(row[c]);
    const double scale = 1.0 / std::sqrt(sum + 1e-12);
    for (int64_t c = 0; c < d; ++c) row[c] = static_cast<float>(row[c] * scale);
  }
}

EvaluationResult evaluate(const float* embeddings, const int64_t* labels, int64_t n, int64_t d,
                          const EvaluationOptions& options) {
  IDML_CHECK(embeddings != nullptr && labels != nullptr, "evaluate: null embeddings or labels");
  IDML_CHECK(n >= 2, "evaluate: need at least 2 embeddings, got ", n);
  IDML_CHECK(d >= 1, "evaluate: embedding dimension must be >= 1, got ", d);
  IDML_CHECK(!options.recall_ks.empty(), "evaluate: empty list of recall K values");
  for (const int64_t k : options.recall_ks) IDML_CHECK(k >= 1, "evaluate: recall K must be >= 1, got ", k);
  for (int64_t i = 0; i < n * d; ++i) {
    IDML_CHECK(std::isfinite(embeddings[i]), "evaluate: embedding ", i / d, " has a non-finite value (", embeddings[i],
               ") at column ", i % d);
  }

  std::vector<float> normalized(embeddings, embeddings + n * d);
  l2_normalize(normalized.data(), n, d);

  const std::vector<int64_t> same_class = same_class_counts(labels, n);
  EvaluationResult result;
  result.scored_queries = count_scored_queries(same_class);
  IDML_CHECK(result.scored_queries > 0, "evaluate: every one of the ", n,
             " samples is alone in its class; retrieval metrics are undefined");

  const int64_t max_recall_k = *std::max_element(options.recall_ks.begin(), options.recall_ks.end());
  const int64_t max_r = *std::max_element(same_class.begin(), same_class.end());
  const int64_t k = std::min(n - 1, std::max(max_recall_k, max_r));
  auto start = std::chrono::steady_clock::now();
  const NearestNeighbours neighbours =
      nearest_neighbours(normalized.data(), n, d, k, options.block_rows, options.device);
  result.knn_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  for (const int64_t recall_k : options.recall_ks) {
    result.metrics.emplace_back("R@" + std::to_string(recall_k), recall_at_k(neighbours, labels, recall_k));
  }
  if (options.compute_clustering) {
    const int64_t classes = static_cast<int64_t>(std::set<int64_t>(labels, labels + n).size());
    KMeansOptions kmeans_options;
    kmeans_options.clusters = classes;
    kmeans_options.seed = options.seed;
    kmeans_options.restarts = options.kmeans_restarts;
    kmeans_options.max_iterations = options.kmeans_max_iterations;
    kmeans_options.device = options.device;
    start = std::chrono::steady_clock::now();
    KMeansResult clusters = kmeans(normalized.data(), n, d, kmeans_options);
    result.kmeans_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.metrics.emplace_back("NMI", normalized_mutual_info(labels, clusters.assignment.data(), n));
    result.metrics.emplace_back("F1", pair_counting_f1(labels, clusters.assignment.data(), n));
    result.cluster_assignment = std::move(clusters.assignment);
  }
  result.metrics.emplace_back("RP", r_precision(neighbours, labels));
  result.metrics.emplace_back("MAP@R", map_at_r(neighbours, labels));
  return result;
}

}  // namespace idml::metrics
