// k-means clustering for the NMI / F1 metrics, of the quality of the
// reference's scikit-learn `KMeans(n_clusters=k, random_state=0)` before 1.4
// (docs/METHOD.md#8-evaluation): greedy k-means++ seeding (kmeans_seeding.h), Lloyd iterations
// with sklearn's stopping rule, at most 300 (kmeans_lloyd.h), 10 restarts,
// the lowest inertia sum_i |x_i - c_a(i)|^2 wins (earliest on ties).
// Seeded and deterministic whatever the thread count: restart r draws from
// std::mt19937_64(mix(seed, r)) (whose output the standard fixes), GEMMs only
// shortlist and exact double sums decide. Not sklearn's random stream: the
// clusterings are of the same quality, not the same.
// The GEMMs run on `device` (the engine's matmul on a GPU) with the same result.
// Not here: mini-batch / approximate k-means.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/device.h"

namespace idml::metrics {

struct KMeansOptions {
  int64_t clusters = 2;
  uint64_t seed = 0;
  int restarts = 10;               // sklearn's n_init
  int max_iterations = 300;        // sklearn's max_iter
  double tolerance = 1e-4;         // sklearn's tol, times the mean per-feature variance
  int64_t seeding_candidates = 0;  // 0: 2 + floor(ln k), sklearn's n_local_trials
  Device device = Device::cpu();   // where the GEMMs run
};

struct KMeansResult {
  std::vector<int64_t> assignment;  // (n): cluster id in [0, clusters)
  std::vector<float> centers;       // (clusters, d)
  double inertia = 0.0;             // sum of squared distances to the assigned centre
  int iterations = 0;               // Lloyd iterations of the winning restart
  bool converged = false;           // it stopped before max_iterations
  int restart = 0;                  // which restart won
  // Summed over all restarts, for benchmarks:
  int total_iterations = 0;
  double seeding_seconds = 0.0, lloyd_seconds = 0.0;
};

// points (n, d) row-major; 1 <= clusters <= n.
KMeansResult kmeans(const float* points, int64_t n, int64_t d, const KMeansOptions& options);

}  // namespace idml::metrics
