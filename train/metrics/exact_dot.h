// Deterministic float-vector arithmetic used to settle what a float32 GEMM
// leaves uncertain. BLAS sgemm rounds differently with the thread count and
// the position of an element in the matrix (edge kernels), so two equal
// inner products can come out unequal by an ulp and swap neighbours. The kNN
// and k-means therefore use sgemm only to find candidates, then rank them by
// these fixed-order double-precision sums, which depend on the two vectors
// alone: equal vectors give bit-identical results, whatever the threads.
// Not here: anything fast; call these on a handful of candidates per row.
#pragma once

#include <cmath>
#include <cstdint>

namespace idml::metrics {

// sum_c a_c b_c in double, four interleaved partial sums in a fixed order
// (products of floats are exact in double).
inline double exact_dot(const float* a, const float* b, int64_t d) {
  double sum[4] = {0.0, 0.0, 0.0, 0.0};
  const int64_t body = d - d % 4;
  for (int64_t c = 0; c < body; c += 4) {
    for (int t = 0; t < 4; ++t) sum[t] += double(a[c + t]) * double(b[c + t]);
  }
  for (int64_t c = body; c < d; ++c) sum[0] += double(a[c]) * double(b[c]);
  return (sum[0] + sum[1]) + (sum[2] + sum[3]);
}

// sum_c (a_c - b_c)^2 in double, same fixed order.
inline double exact_squared_distance(const float* a, const float* b, int64_t d) {
  double sum[4] = {0.0, 0.0, 0.0, 0.0};
  const int64_t body = d - d % 4;
  for (int64_t c = 0; c < body; c += 4) {
    for (int t = 0; t < 4; ++t) {
      const double diff = double(a[c + t]) - double(b[c + t]);
      sum[t] += diff * diff;
    }
  }
  for (int64_t c = body; c < d; ++c) {
    const double diff = double(a[c]) - double(b[c]);
    sum[0] += diff * diff;
  }
  return (sum[0] + sum[1]) + (sum[2] + sum[3]);
}

// Bound on |sgemm(x, y) - x.y| / (|x| |y|) for length-d float32 inner products
// in any summation order: gamma_{d+1} = (d+1) u / (1 - (d+1) u), u = 2^-24
// (Higham, Accuracy and Stability of Numerical Algorithms, §3.1), doubled for slack.
inline double float_dot_error_bound(int64_t d) {
  const double nu = double(d + 1) * 0x1.0p-24;
  return 2.0 * nu / (1.0 - nu);
}

}  // namespace idml::metrics
