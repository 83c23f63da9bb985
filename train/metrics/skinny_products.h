// out (n, m) = points (n, d) x few (m, d)^T for small m (the k-means++
// candidates, m = 2 + ln k <= 16): BLAS sgemm is slow on so skinny a shape
// (it re-packs the big operand for a handful of columns), while here each
// point row is read once and its m dot products share the load. AVX2 + FMA
// when the CPU has them (chosen at run time: the default build targets
// generic x86-64), plain loops otherwise. Float32 sums in any order, so the
// float_dot_error_bound of exact_dot.h holds as for sgemm. Rows in parallel.
// Not here: anything with m > kMaxSkinnyColumns (use sgemm).
#pragma once

#include <cstdint>

namespace idml::metrics {

constexpr int64_t kMaxSkinnyColumns = 16;

void skinny_products(const float* points, int64_t n, int64_t d, const float* few, int64_t m, float* out);

}  // namespace idml::metrics
