// Scores of a clustering against the true labels, both as integer ids per
// point: normalised mutual information and pair-counting F1. Both are computed
// from the contingency table n_ij = #{points of class i in cluster j}, kept
// sparse (sorted (class, cluster) pairs), so SOP's ~11k x ~11k table costs
// O(N log N), not O(classes x clusters) memory, and no O(N^2) pair loop.
// Not here: the clustering itself (kmeans.h).
#pragma once

#include <cstdint>

namespace idml::metrics {

// NMI with arithmetic-mean normalisation, as sklearn's
// normalized_mutual_info_score(labels_true, labels_pred) (average_method="arithmetic"):
//   a_i = sum_j n_ij, b_j = sum_i n_ij, N = sum n_ij
//   MI  = sum_ij (n_ij / N) log(N n_ij / (a_i b_j))
//   H(U) = -sum_i (a_i / N) log(a_i / N),  H(V) likewise with b_j
//   NMI = MI / max((H(U) + H(V)) / 2, eps)
// Both labelings with a single label (both entropies 0) is a perfect match: 1.
double normalized_mutual_info(const int64_t* labels_true, const int64_t* labels_pred, int64_t n);

// Pair-counting F1 over the n(n-1)/2 unordered pairs of points:
//   TP = sum_ij C(n_ij, 2)        (same class, same cluster)
//   precision = TP / sum_j C(b_j, 2),  recall = TP / sum_i C(a_i, 2)
//   F1 = 2 precision recall / (precision + recall); 0 when TP = 0.
double pair_counting_f1(const int64_t* labels_true, const int64_t* labels_pred, int64_t n);

}  // namespace idml::metrics
