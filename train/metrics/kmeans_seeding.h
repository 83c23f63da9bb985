// Greedy k-means++ seeding, as scikit-learn's `_kmeans_plusplus` (the init
// of KMeans before 1.4): the first centre is a uniformly drawn point; each
// next one is the best of L = 2 + floor(ln k) candidates, each drawn with
// probability D(x)^2 / sum D^2 (D = distance to the nearest centre so far),
// "best" being the candidate that leaves the lowest potential sum_x D(x)^2.
// The L candidates are scored against all points by one GEMM (InnerProducts,
// CPU or GPU); each point the GEMM puts within its error bound of being
// captured is settled by exact_squared_distance, and the potentials are
// summed in a fixed order, so the choice does not depend on BLAS rounding or
// the thread count.
// Not here: the Lloyd iterations (kmeans_lloyd.h), restarts (kmeans.h).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "train/metrics/inner_products.h"

namespace idml::metrics {

// sklearn's n_local_trials: 2 + floor(ln k).
int64_t greedy_seeding_candidates(int64_t k);

// Indices of the k points chosen as centres, in order. points (n, d) =
// points_matrix's rows; uniform() draws from [0, 1) (called once for the first
// centre, then `candidates` times per further centre); candidates = 0 means
// greedy_seeding_candidates(k). A point whose cumulative D^2 first reaches
// u * sum D^2 is drawn (numpy's searchsorted, side "left"); ties between
// candidates go to the first drawn.
std::vector<int64_t> greedy_kmeans_plusplus(const InnerProducts& products, const InnerProducts::Matrix& points,
                                            int64_t k, int64_t candidates, const std::function<double()>& uniform);

}  // namespace idml::metrics
