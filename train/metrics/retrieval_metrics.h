// Retrieval metrics from precomputed neighbour lists (nearest_neighbours.h):
// Recall@K, R-Precision and MAP@R (Musgrave et al., "A Metric Learning Reality
// Check", 2020), for a set searched against itself (leave-one-out) or for
// queries searched among a gallery. Definitions, for a query q of class c with
// R_q relevant samples (leave-one-out: the other samples of class c; gallery:
// the gallery samples of class c) and neighbours n_1, n_2, ... (best first):
//   Recall@K  = mean over ALL queries of [ exists i <= K : label(n_i) = c ]
//   RP        = mean_q (1/R_q) * #{ i <= R_q : label(n_i) = c }
//   MAP@R     = mean_q (1/R_q) * sum_{i <= R_q} P_q(i) * [label(n_i) = c],
//               P_q(i) = #{ j <= i : label(n_j) = c } / i
// Lone queries (R_q = 0: alone in their class, or a class the gallery lacks)
// cannot retrieve anything: in Recall@K they count as misses (denominator =
// every query, as the reference's recall_at_k and docs/METHOD.md#8-evaluation); RP and MAP@R
// leave them out (their 1/R_q is undefined). If every query is lone, RP and MAP@R throw.
// Not here: the kNN search itself, the clustering metrics (NMI, F1).
#pragma once

#include <cstdint>
#include <vector>

#include "train/metrics/nearest_neighbours.h"

namespace idml::metrics {

// Whom each query is compared with: the labels of the queries and of the
// points the neighbour indices refer to, and R_q.
struct RelevanceLabels {
  const int64_t* query = nullptr;      // (queries)
  const int64_t* reference = nullptr;  // (references), indexed by neighbour indices
  int64_t candidates = 0;              // neighbours a query could have: n - 1, or the gallery size
  std::vector<int64_t> relevant;       // R_q per query

  int64_t queries() const { return static_cast<int64_t>(relevant.size()); }
};

// A set searched against itself: R_q = class size - 1. The labels must outlive the result.
RelevanceLabels leave_one_out_labels(const int64_t* labels, int64_t n);
// Queries searched among a gallery: R_q = gallery samples of q's class.
RelevanceLabels query_gallery_labels(const int64_t* query_labels, int64_t queries, const int64_t* gallery_labels,
                                     int64_t gallery);

// R_i = number of other points with the same label as point i, for each i.
std::vector<int64_t> same_class_counts(const int64_t* labels, int64_t n);

// Number of queries with R_q >= 1, the denominator of RP and MAP@R.
int64_t count_scored_queries(const std::vector<int64_t>& relevant);

// neighbours.n == labels.queries(). k >= 1; k may exceed neighbours.k only
// when every candidate is listed (neighbours.k == labels.candidates).
double recall_at_k(const NearestNeighbours& neighbours, const RelevanceLabels& labels, int64_t k);
// Need neighbours.k >= max_q R_q.
double r_precision(const NearestNeighbours& neighbours, const RelevanceLabels& labels);
double map_at_r(const NearestNeighbours& neighbours, const RelevanceLabels& labels);

// Leave-one-out shorthands: labels (neighbours.n).
double recall_at_k(const NearestNeighbours& neighbours, const int64_t* labels, int64_t k);
double r_precision(const NearestNeighbours& neighbours, const int64_t* labels);
double map_at_r(const NearestNeighbours& neighbours, const int64_t* labels);

// Recall@1 of each query class: the fraction of its queries whose first
// neighbour has their class (the per-class breakdown of R@1; the mean over
// queries, weighted by `queries`, is R@1).
struct ClassRecall {
  int64_t label = 0;
  int64_t queries = 0;
  double recall_at_1 = 0;
};
// Sorted by label.
std::vector<ClassRecall> recall_at_1_per_class(const NearestNeighbours& neighbours, const RelevanceLabels& labels);

}  // namespace idml::metrics
