// max_pool2d and the global pools against naive loops, and their gradients.
#include <gtest/gtest.h>

#include <limits>

#include "tests/engine/test_util.h"

namespace idml {
namespace {

using testing::host;

std::vector<double> max_pool_reference(const Tensor& x, Pool2dOptions o) {
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const int64_t oh = (h + 2 * o.padding - o.kernel) / o.stride + 1, ow = (w + 2 * o.padding - o.kernel) / o.stride + 1;
  const std::vector<double> v = host(x);
  std::vector<double> out;
  for (int64_t p = 0; p < n * c; ++p)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        double best = -std::numeric_limits<double>::infinity();
        for (int64_t a = 0; a < o.kernel; ++a)
          for (int64_t b = 0; b < o.kernel; ++b) {
            const int64_t y = i * o.stride - o.padding + a, z = j * o.stride - o.padding + b;
            if (y >= 0 && y < h && z >= 0 && z < w) best = std::max(best, v[(p * h + y) * w + z]);
          }
        out.push_back(best);
      }
  return out;
}

TEST(PoolingOps, MaxPoolMatchesNaiveLoops) {
  Generator gen(60);
  const std::vector<std::pair<Shape, Pool2dOptions>> cases = {
      {{1, 1, 5, 5}, {2, 2, 0}}, {{2, 3, 7, 9}, {3, 2, 1}}, {{2, 2, 8, 8}, {3, 2, 1}}, {{1, 2, 4, 3}, {1, 1, 0}},
      {{3, 1, 6, 6}, {3, 3, 0}}};
  for (const auto& [s, o] : cases) {
    const Tensor x = randn(s, gen, 0, 1, DType::Float64);
    testing::expect_near_all(host(max_pool2d(x, o)), max_pool_reference(x, o), 0, "max_pool2d");
    testing::expect_near_all(host(max_pool2d(x.to(DType::Float32), o)), max_pool_reference(x, o), 1e-7, "f32");
  }
}

TEST(PoolingOps, MaxPoolBackwardMatchesFiniteDifferences) {
  Generator gen(61);
  for (const Pool2dOptions o : {Pool2dOptions{3, 2, 1}, Pool2dOptions{2, 2, 0}, Pool2dOptions{3, 1, 1}}) {
    const Tensor x = testing::random_leaf({2, 2, 5, 6}, gen);
    EXPECT_GRADIENTS_MATCH([&](const std::vector<Tensor>& in) { return max_pool2d(in[0], o); }, {x});
  }
}

TEST(PoolingOps, MaxPoolTiesGoToTheFirstMaximum) {
  const Tensor x = zeros({1, 1, 2, 2}, DType::Float64).set_requires_grad(true);
  sum(max_pool2d(x, {2, 2, 0})).backward();
  EXPECT_EQ(host(x.grad()), (std::vector<double>{1, 0, 0, 0}));
}

// As in PyTorch (checked with torch 1.13): a NaN in a window is the window's
// maximum, and the last NaN in row-major order takes the gradient.
TEST(PoolingOps, MaxPoolPropagatesTheFirstNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // one 4x4 plane; 3x3 windows, stride 2, padding 1 -> 2x2 outputs
  std::vector<float> v(16);
  for (int i = 0; i < 16; ++i) v[i] = static_cast<float>(i);
  v[5] = nan;   // (1, 1): in the windows of all four outputs
  v[6] = nan;   // (1, 2): in the windows of outputs (0, 1) and (1, 1), after (1, 1)
  v[15] = 100;  // (3, 3): only in output (1, 1)'s window, after both NaNs
  const Tensor x = from_vector(v, {1, 1, 4, 4}).set_requires_grad(true);
  const Tensor y = max_pool2d(x, {3, 2, 1});
  for (float out : y.to_vector<float>()) EXPECT_TRUE(std::isnan(out));
  y.backward(ones(y.shape()));
  std::vector<float> expected(16, 0.0f);
  expected[5] = 2;  // outputs (0, 0) and (1, 0)
  expected[6] = 2;  // outputs (0, 1) and (1, 1)
  EXPECT_EQ(x.grad().to_vector<float>(), expected);
  const Tensor clean = from_vector(std::vector<float>{1, 3, 2, 0}, {1, 1, 2, 2});
  EXPECT_EQ(max_pool2d(clean, {2, 2, 0}).to_vector<float>(), std::vector<float>{3});
}

TEST(PoolingOps, GlobalPoolsReduceTheSpatialDims) {
  Generator gen(62);
  const Tensor x = testing::random_leaf({2, 3, 4, 5}, gen);
  const std::vector<double> v = host(x), avg = host(adaptive_avg_pool2d_1x1(x)), mx = host(adaptive_max_pool2d_1x1(x));
  EXPECT_EQ(adaptive_avg_pool2d_1x1(x).shape(), (Shape{2, 3, 1, 1}));
  for (int64_t p = 0; p < 6; ++p) {
    double s = 0, m = -1e300;
    for (int64_t i = 0; i < 20; ++i) {
      s += v[p * 20 + i];
      m = std::max(m, v[p * 20 + i]);
    }
    EXPECT_NEAR(avg[p], s / 20, 1e-14);
    EXPECT_EQ(mx[p], m);
  }
  using In = std::vector<Tensor>;
  EXPECT_GRADIENTS_MATCH([](const In& in) { return adaptive_avg_pool2d_1x1(in[0]); }, {x});
  EXPECT_GRADIENTS_MATCH([](const In& in) { return adaptive_max_pool2d_1x1(in[0]); }, {x});
}

TEST(PoolingOps, BadGeometryIsAnError) {
  EXPECT_THROW(max_pool2d(zeros({1, 1, 2, 2}), {3, 1, 0}), Error);
  EXPECT_THROW(max_pool2d(zeros({1, 1, 4, 4}), {2, 2, 2}), Error);
  EXPECT_THROW(max_pool2d(zeros({1, 4, 4}), {2, 2, 0}), Error);
}

}  // namespace
}  // namespace idml
