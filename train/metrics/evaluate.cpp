// evaluate() and evaluate_query_gallery(): normalise, kNN once with
// K = max(max recall K, largest R_q) capped at the candidates (n - 1, or the
// gallery size), then every retrieval metric from the same lists; k-means
// with k = number of distinct labels for NMI and F1.
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

namespace {

void check_options(const EvaluationOptions& options) {
  IDML_CHECK(!options.recall_ks.empty(), "evaluate: empty list of recall K values");
  for (const int64_t k : options.recall_ks) IDML_CHECK(k >= 1, "evaluate: recall K must be >= 1, got ", k);
}

// `what` names the rows in the error: "embedding", "query embedding", "gallery embedding".
void check_finite(const float* rows, int64_t n, int64_t d, const char* what) {
  for (int64_t i = 0; i < n * d; ++i) {
    IDML_CHECK(std::isfinite(rows[i]), "evaluate: ", what, " ", i / d, " has a non-finite value (", rows[i],
               ") at column ", i % d);
  }
}

// K of the one kNN: enough for every recall K and for the largest R_q, at most every candidate.
int64_t neighbours_needed(const EvaluationOptions& options, const RelevanceLabels& relevance) {
  const int64_t max_recall_k = *std::max_element(options.recall_ks.begin(), options.recall_ks.end());
  const int64_t max_r = *std::max_element(relevance.relevant.begin(), relevance.relevant.end());
  return std::min(relevance.candidates, std::max(max_recall_k, max_r));
}

// Every metric from the kNN lists, and k-means of `points` (n, d, normalised) into as many clusters as `labels` has.
EvaluationResult score(const NearestNeighbours& neighbours, const RelevanceLabels& relevance, const float* points,
                       const int64_t* labels, int64_t n, int64_t d, const EvaluationOptions& options) {
  EvaluationResult result;
  result.scored_queries = count_scored_queries(relevance.relevant);
  for (const int64_t recall_k : options.recall_ks) {
    result.metrics.emplace_back("R@" + std::to_string(recall_k), recall_at_k(neighbours, relevance, recall_k));
  }
  if (options.compute_clustering) {
    const int64_t classes = static_cast<int64_t>(std::set<int64_t>(labels, labels + n).size());
    KMeansOptions kmeans_options;
    kmeans_options.clusters = classes;
    kmeans_options.seed = options.seed;
    kmeans_options.restarts = options.kmeans_restarts;
    kmeans_options.max_iterations = options.kmeans_max_iterations;
    kmeans_options.device = options.device;
    const auto start = std::chrono::steady_clock::now();
    KMeansResult clusters = kmeans(points, n, d, kmeans_options);
    result.kmeans_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.metrics.emplace_back("NMI", normalized_mutual_info(labels, clusters.assignment.data(), n));
    result.metrics.emplace_back("F1", pair_counting_f1(labels, clusters.assignment.data(), n));
    result.cluster_assignment = std::move(clusters.assignment);
  }
  result.metrics.emplace_back("RP", r_precision(neighbours, relevance));
  result.metrics.emplace_back("MAP@R", map_at_r(neighbours, relevance));
  result.per_class = recall_at_1_per_class(neighbours, relevance);
  return result;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

EvaluationResult evaluate(const float* embeddings, const int64_t* labels, int64_t n, int64_t d,
                          const EvaluationOptions& options) {
  IDML_CHECK(embeddings != nullptr && labels != nullptr, "evaluate: null embeddings or labels");
  IDML_CHECK(n >= 2, "evaluate: need at least 2 embeddings, got ", n);
  IDML_CHECK(d >= 1, "evaluate: embedding dimension must be >= 1, got ", d);
  check_options(options);
  check_finite(embeddings, n, d, "embedding");

  std::vector<float> normalized(embeddings, embeddings + n * d);
  l2_normalize(normalized.data(), n, d);
  const RelevanceLabels relevance = leave_one_out_labels(labels, n);
  IDML_CHECK(count_scored_queries(relevance.relevant) > 0, "evaluate: every one of the ", n,
             " samples is alone in its class; retrieval metrics are undefined");

  const auto start = std::chrono::steady_clock::now();
  const NearestNeighbours neighbours = nearest_neighbours(normalized.data(), n, d, neighbours_needed(options, relevance),
                                                          options.block_rows, options.device);
  const double knn_seconds = seconds_since(start);
  EvaluationResult result = score(neighbours, relevance, normalized.data(), labels, n, d, options);
  result.knn_seconds = knn_seconds;
  return result;
}

EvaluationResult evaluate_query_gallery(const float* query_embeddings, const int64_t* query_labels, int64_t queries,
                                        const float* gallery_embeddings, const int64_t* gallery_labels,
                                        int64_t gallery, int64_t d, const EvaluationOptions& options) {
  IDML_CHECK(query_embeddings != nullptr && query_labels != nullptr && gallery_embeddings != nullptr &&
                 gallery_labels != nullptr,
             "evaluate: null query or gallery embeddings or labels");
  IDML_CHECK(queries >= 1 && gallery >= 1, "evaluate: need at least 1 query and 1 gallery embedding, got ", queries,
             " and ", gallery);
  IDML_CHECK(d >= 1, "evaluate: embedding dimension must be >= 1, got ", d);
  check_options(options);
  check_finite(query_embeddings, queries, d, "query embedding");
  check_finite(gallery_embeddings, gallery, d, "gallery embedding");

  // Queries then gallery in one buffer: the kNN reads the two parts, k-means the whole.
  std::vector<float> normalized(query_embeddings, query_embeddings + queries * d);
  normalized.insert(normalized.end(), gallery_embeddings, gallery_embeddings + gallery * d);
  l2_normalize(normalized.data(), queries + gallery, d);
  std::vector<int64_t> labels(query_labels, query_labels + queries);
  labels.insert(labels.end(), gallery_labels, gallery_labels + gallery);
  const RelevanceLabels relevance = query_gallery_labels(query_labels, queries, gallery_labels, gallery);
  IDML_CHECK(count_scored_queries(relevance.relevant) > 0, "evaluate: none of the ", queries,
             " queries has its class among the ", gallery, " gallery samples; retrieval metrics are undefined");

  const float* gallery_rows = normalized.data() + queries * d;
  const auto start = std::chrono::steady_clock::now();
  const NearestNeighbours neighbours =
      nearest_neighbours_among(normalized.data(), queries, gallery_rows, gallery, d,
                               neighbours_needed(options, relevance), options.block_rows, options.device);
  const double knn_seconds = seconds_since(start);
  EvaluationResult result = score(neighbours, relevance, normalized.data(), labels.data(), queries + gallery, d, options);
  result.knn_seconds = knn_seconds;
  return result;
}

}  // namespace idml::metrics
