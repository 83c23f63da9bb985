// Helpers shared by the engine tests: random inputs, comparisons, and the
// EXPECT_GRADIENTS_MATCH check.
#pragma once

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/generator.h"
#include "engine/ops.h"
#include "tests/engine/gradcheck.h"

namespace idml::testing {

// max |a - b| / max |b| of two float32 tensors, in any layout.
inline double relative_error(const Tensor& a, const Tensor& b) {
  const std::vector<float> x = to_plain(a).to_vector<float>(), y = to_plain(b).to_vector<float>();
  double diff = 0, scale = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    diff = std::max(diff, static_cast<double>(std::abs(x[i] - y[i])));
    scale = std::max(scale, static_cast<double>(std::abs(y[i])));
  }
  return diff / scale;
}

// Random normal float64 leaf that requires grad.
inline Tensor random_leaf(const Shape& shape, Generator& gen, double scale = 1.0) {
  return randn(shape, gen, 0.0, scale, DType::Float64).set_requires_grad(true);
}

// Values bounded away from 0 (for kinks of relu/abs/clamp and for division): sign * (lo + |normal|).
inline Tensor away_from_zero(const Shape& shape, Generator& gen, double lo = 0.2, bool positive = false) {
  std::vector<double> v(shape_numel(shape));
  for (auto& x : v) {
    const double n = gen.normal();
    x = (positive || n >= 0 ? 1 : -1) * (lo + std::abs(n));
  }
  return from_vector(v, shape).set_requires_grad(true);
}

// A random shape of `ndim` dims with sizes in [1, max_size]; odd sizes and 1s happen.
inline Shape random_shape(Generator& gen, int ndim, int64_t max_size = 5) {
  Shape s(ndim);
  for (auto& d : s) d = 1 + static_cast<int64_t>(gen.below(max_size));
  return s;
}

// Sets the number of OpenMP threads for a scope.
class ThreadCount {
 public:
  explicit ThreadCount(int n) : saved_(omp_get_max_threads()) { omp_set_num_threads(n); }
  ~ThreadCount() { omp_set_num_threads(saved_); }
  ThreadCount(const ThreadCount&) = delete;
  ThreadCount& operator=(const ThreadCount&) = delete;

 private:
  int saved_;
};

// The values of t in row-major order (converted to plain first, whatever its layout), as float64.
inline std::vector<double> host(const Tensor& t) { return to_plain(t).to(DType::Float64).to_vector<double>(); }

inline void expect_near_all(const std::vector<double>& actual, const std::vector<double>& expected, double rel,
                            const char* what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t i = 0; i < actual.size(); ++i)
    ASSERT_NEAR(actual[i], expected[i], rel * (1.0 + std::abs(expected[i]))) << what << " element " << i;
}

}  // namespace idml::testing

// EXPECT_GRADIENTS_MATCH(f, {x, y}): the inputs are the remaining arguments.
#define EXPECT_GRADIENTS_MATCH(f, ...)                                                            \
  do {                                                                                            \
    const auto gradcheck_result = ::idml::testing::gradcheck((f), std::vector<::idml::Tensor>(__VA_ARGS__)); \
    EXPECT_TRUE(gradcheck_result.ok) << gradcheck_result.report;           \
  } while (0)
