// Lloyd iterations from given centres, as scikit-learn's `_kmeans_single_lloyd`
// (KMeans before 1.4): each iteration assigns every point to its nearest
// centre, moves each centre to the mean of its points, and stops when the
// assignment repeats (strict convergence) or the centres moved by
// sum_j |c_j' - c_j|^2 <= tolerance, after at most max_iterations; without
// strict convergence a last assignment matches the final centres.
// Empty clusters, as sklearn does: each takes one of the points farthest from
// the centre they were assigned to (largest distance first), which leaves its
// old cluster in that same update.
// The assignment shortlists centres by a blocked GEMM (InnerProducts, CPU or
// GPU) of |c|^2 - 2 x.c and settles them by exact_squared_distance; sums are
// in double in index order: deterministic whatever the thread count or device.
#pragma once

#include <cstdint>
#include <vector>

#include "train/metrics/inner_products.h"

namespace idml::metrics {

struct LloydResult {
  std::vector<int64_t> assignment;  // (n)
  std::vector<float> centers;       // (k, d)
  double inertia = 0.0;             // sum_i |x_i - c_a(i)|^2 of the returned assignment and centres
  int iterations = 0;               // sklearn's n_iter_
  bool converged = false;           // stopped before max_iterations (strictly or by the tolerance)
};

// tolerance: absolute, on sum_j |c_j' - c_j|^2 (sklearn: 1e-4 x mean per-feature variance).
LloydResult lloyd(const InnerProducts& products, const InnerProducts::Matrix& points, std::vector<float> centers,
                  int64_t k, int max_iterations, double tolerance);

// assignment[i] = argmin_j |x_i - c_j|^2, lower j on ties, for centres (k, d).
void assign_to_nearest(const InnerProducts& products, const InnerProducts::Matrix& points,
                       const std::vector<float>& centers, int64_t k, std::vector<int64_t>& assignment);

// sklearn's tolerance rule: tol x mean over features of the variance of the points.
double absolute_tolerance(const float* points, int64_t n, int64_t d, double tol);

}  // namespace idml::metrics
