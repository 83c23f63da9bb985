// Retrieval metrics from precomputed neighbour lists (nearest_neighbours.h):
// Recall@K, R-Precision and MAP@R (Musgrave et al., "A Metric Learning Reality
// Check", 2020). Definitions, for a query q of class c with R_q other samples
// of class c and neighbours n_1, n_2, ... (self excluded, best first):
//   Recall@K  = mean over ALL queries of [ exists i <= K : label(n_i) = c ]
//   RP        = mean_q (1/R_q) * #{ i <= R_q : label(n_i) = c }
//   MAP@R     = mean_q (1/R_q) * sum_{i <= R_q} P_q(i) * [label(n_i) = c],
//               P_q(i) = #{ j <= i : label(n_j) = c } / i
// Lone queries (R_q = 0: alone in their class) cannot retrieve anything: in
// Recall@K they count as misses (denominator = every query, as the
// reference's recall_at_k and docs/METHOD.md#8-evaluation); RP and MAP@R leave them out (their
// 1/R_q is undefined). If every query is lone, RP and MAP@R throw.
// Not here: the kNN search itself, the clustering metrics (NMI, F1).
#pragma once

#include <cstdint>
#include <vector>

#include "train/metrics/nearest_neighbours.h"

namespace idml::metrics {

// R_i = number of other points with the same label as point i, for each i.
std::vector<int64_t> same_class_counts(const int64_t* labels, int64_t n);

// Number of queries with R_q >= 1, the denominator of RP and MAP@R.
int64_t count_scored_queries(const std::vector<int64_t>& same_class);

// labels (n), neighbours.n == n. k >= 1; k may exceed neighbours.k only when
// neighbours.k == n - 1 (every other point is listed).
double recall_at_k(const NearestNeighbours& neighbours, const int64_t* labels, int64_t k);

// Need neighbours.k >= max_q R_q.
double r_precision(const NearestNeighbours& neighbours, const int64_t* labels);
double map_at_r(const NearestNeighbours& neighbours, const int64_t* labels);

}  // namespace idml::metrics
