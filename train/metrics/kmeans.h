// k-means clustering for the NMI / F1 metrics: k-means++ seeding (Arthur &
// Vassilvitskii 2007, the plain variant: one candidate per step, drawn with
// probability proportional to D(x)^2), then Lloyd iterations until the
// assignment stops changing or max_iterations, restarted `restarts` times;
// the run with the lowest inertia sum_i |x_i - c_a(i)|^2 wins (earliest on ties).
// Deterministic for a given seed: our own uniform draws from std::mt19937_64
// (whose output the standard fixes), sequential double sums, ties to the
// lower centre index, whatever the thread count. Assignment uses a blocked
// GEMM (bounded memory) to shortlist centres by
//   argmin_j |x - c_j|^2 = argmin_j (|c_j|^2 - 2 x.c_j)
// and settles the shortlist by exact distances (exact_dot.h).
// An emptied cluster is moved to the point farthest from its centre.
// Not here: mini-batch / approximate k-means, GPU k-means.
#pragma once

#include <cstdint>
#include <vector>

namespace idml::metrics {

struct KMeansOptions {
  int64_t clusters = 2;
  uint64_t seed = 0;
  int restarts = 5;
  int max_iterations = 100;
};

struct KMeansResult {
  std::vector<int64_t> assignment;  // (n): cluster id in [0, clusters)
  std::vector<float> centers;       // (clusters, d)
  double inertia = 0.0;             // sum of squared distances to the assigned centre
  int iterations = 0;               // Lloyd iterations of the winning restart
  bool converged = false;           // its assignment stopped changing before max_iterations
};

// points (n, d) row-major; 1 <= clusters <= n.
KMeansResult kmeans(const float* points, int64_t n, int64_t d, const KMeansOptions& options);

}  // namespace idml::metrics
