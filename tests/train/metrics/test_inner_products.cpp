// InnerProducts on the CPU: the skinny kernel (m <= 16 columns: AVX2 + FMA
// or plain loops) and the sgemm path both within float32 error of exact
// double inner products, for odd sizes (tails of 8-float chunks, row blocks),
// and every output written (filled with NaN first).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "train/metrics/exact_dot.h"
#include "train/metrics/inner_products.h"
#include "train/metrics/skinny_products.h"
#include "tests/train/random_rows.h"

namespace {

using idml::testing::random_rows;

void expect_products(int64_t left_rows, int64_t start, int64_t m, int64_t n, int64_t d) {
  const auto left = random_rows(left_rows, d, 1), right = random_rows(n, d, 2);
  const idml::metrics::InnerProducts products;
  std::vector<float> out(static_cast<size_t>(m * n), NAN);
  products.multiply(products.matrix(left.data(), left_rows, d), start, m, products.matrix(right.data(), n, d),
                    out.data());
  const double bound = idml::metrics::float_dot_error_bound(d);
  for (int64_t i = 0; i < m; ++i) {
    const float* x = left.data() + (start + i) * d;
    for (int64_t j = 0; j < n; ++j) {
      const float* y = right.data() + j * d;
      const double exact = idml::metrics::exact_dot(x, y, d);
      const double scale = std::sqrt(idml::metrics::exact_dot(x, x, d) * idml::metrics::exact_dot(y, y, d));
      ASSERT_LE(std::abs(double(out[size_t(i * n + j)]) - exact), bound * scale)
          << "m " << m << " n " << n << " d " << d << " at (" << i << ", " << j << ")";
    }
  }
}

TEST(InnerProducts, SkinnyKernelWithinFloat32Error) {
  for (const int64_t d : {1, 7, 8, 13, 512})
    for (const int64_t n : {1, 3, 11, 16}) expect_products(700, 37, 600, n, d);  // 600 rows: several tasks
}

TEST(InnerProducts, SgemmPathWithinFloat32Error) {
  expect_products(50, 3, 40, 17, 33);  // 17 columns: past the skinny kernel
  expect_products(20, 0, 20, 300, 512);
}

TEST(InnerProducts, SkinnyRejectsTooManyColumns) {
  std::vector<float> x(4), out(32);
  EXPECT_THROW(idml::metrics::skinny_products(x.data(), 1, 4, x.data(), idml::metrics::kMaxSkinnyColumns + 1,
                                              out.data()),
               std::exception);
}

}  // namespace
