// The evaluation protocol of docs/METHOD.md#8-evaluation on host arrays: L2-normalise the
// embeddings, exact kNN by blocked GEMM, Recall@K / RP / MAP@R, and k-means
// NMI / F1. Works on plain float / int64 arrays so that it needs no Tensor:
// callers copy embeddings (N, D) and labels (N) to the host first.
// Two protocols: one set searched against itself, each sample excluded from
// its own list (CUB, Cars, SOP), or queries searched among a gallery, nothing
// excluded (In-shop); k-means clusters every sample either way (the query and
// gallery samples together). Lone queries (no relevant sample) are misses in
// Recall@K and left out of RP and MAP@R (retrieval_metrics.h). The GEMMs of
// the kNN and k-means run on `device` (CPU or a CUDA device), same result.
// Not here: computing embeddings, logging, choosing the best epoch.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/device.h"
#include "train/metrics/retrieval_metrics.h"

namespace idml::metrics {

struct EvaluationOptions {
  std::vector<int64_t> recall_ks = {1, 2, 4, 8};  // SOP: {1, 10, 100, 1000}; In-shop {1, 10, 20, 30, 40, 50}
  uint64_t seed = 0;                              // k-means seed
  int kmeans_restarts = 10;                       // sklearn's n_init (before 1.4)
  int kmeans_max_iterations = 300;                // sklearn's max_iter
  bool compute_clustering = true;                 // NMI and F1 (k-means is the slow part at SOP scale)
  int64_t block_rows = 0;                         // kNN query rows per GEMM; 0 = automatic (64 MiB)
  Device device = Device::cpu();                  // where the GEMMs run
};

struct EvaluationResult {
  // In order: R@<k> for each recall K, then NMI, F1 (when computed), RP, MAP@R.
  std::vector<std::pair<std::string, double>> metrics;
  int64_t scored_queries = 0;  // queries with at least one same-class sample (the RP / MAP@R denominator)
  double knn_seconds = 0.0, kmeans_seconds = 0.0;  // wall time of the two expensive parts
  std::vector<int64_t> cluster_assignment;  // k-means clusters (n; queries then gallery), empty without clustering
  std::vector<ClassRecall> per_class;       // Recall@1 of each query class, by label

  // Value of the metric named `name` ("R@1", "NMI", ...); throws idml::Error if absent.
  double get(const std::string& name) const;
};

// x_i <- x_i / sqrt(sum_c x_ic^2 + 1e-12), rows in place; rows (n, d).
void l2_normalize(float* rows, int64_t n, int64_t d);

// embeddings (n, d) row-major, any scale (normalised inside, on a copy);
// labels (n) any int64 class ids; n >= 2. Throws idml::Error on non-finite
// embeddings, bad K values, or when every query is alone in its class.
EvaluationResult evaluate(const float* embeddings, const int64_t* labels, int64_t n, int64_t d,
                          const EvaluationOptions& options = {});

// Queries (queries, d) searched among a gallery (gallery, d), same dimension;
// R_q = gallery samples of q's class; Recall@K with K beyond the gallery size
// means the whole gallery. Throws idml::Error on empty sets, non-finite
// embeddings, bad K values, or when no query's class is in the gallery.
EvaluationResult evaluate_query_gallery(const float* query_embeddings, const int64_t* query_labels, int64_t queries,
                                        const float* gallery_embeddings, const int64_t* gallery_labels,
                                        int64_t gallery, int64_t d, const EvaluationOptions& options = {});

}  // namespace idml::metrics
