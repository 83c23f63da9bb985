// batch_norm in training and inference mode, running statistics, gradients.
#include <gtest/gtest.h>

#include "tests/engine/test_util.h"

namespace idml {
namespace {

using testing::host;

TEST(BatchNormOps, TrainingNormalisesByBatchStatisticsAndUpdatesRunningStats) {
  Generator gen(50);
  const int64_t n = 3, c = 2, hw = 5;
  const Tensor x = randn({n, c, 1, hw}, gen, 1.0, 2.0, DType::Float64);
  const Tensor w = from_vector<double>({1.5, -0.5}, {2});
  const Tensor b = from_vector<double>({0.1, 0.2}, {2});
  const Tensor rm = from_vector<double>({0.0, 1.0}, {2});
  const Tensor rv = from_vector<double>({1.0, 2.0}, {2});
  const Tensor y = batch_norm(x, w, b, rm, rv, BatchNormMode::training, 0.1, 1e-5);
  const std::vector<double> xv = host(x), yv = host(y);
  for (int64_t ch = 0; ch < c; ++ch) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < hw; ++j) mean += xv[(i * c + ch) * hw + j] / (n * hw);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < hw; ++j) var += std::pow(xv[(i * c + ch) * hw + j] - mean, 2) / (n * hw);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < hw; ++j) {
        const double expected = (xv[(i * c + ch) * hw + j] - mean) / std::sqrt(var + 1e-5) * host(w)[ch] + host(b)[ch];
        EXPECT_NEAR(yv[(i * c + ch) * hw + j], expected, 1e-12);
      }
    const double unbiased = var * (n * hw) / (n * hw - 1);
    EXPECT_NEAR(host(rm)[ch], 0.9 * (ch == 0 ? 0.0 : 1.0) + 0.1 * mean, 1e-12);
    EXPECT_NEAR(host(rv)[ch], 0.9 * (ch == 0 ? 1.0 : 2.0) + 0.1 * unbiased, 1e-12);
  }
}

TEST(BatchNormOps, InferenceUsesRunningStatisticsAndLeavesThemAlone) {
  const Tensor x = from_vector<double>({1, 2, 3, 4}, {2, 2});  // (N, C)
  const Tensor rm = from_vector<double>({1, 2}, {2});
  const Tensor rv = from_vector<double>({4, 9}, {2});
  const Tensor y = batch_norm(x, Tensor(), Tensor(), rm, rv, BatchNormMode::inference, 0.1, 0.0);
  testing::expect_near_all(host(y), {0.0, 0.0, 1.0, 2.0 / 3.0}, 1e-15, "bn eval");
  EXPECT_EQ(host(rm), (std::vector<double>{1, 2}));
  EXPECT_EQ(host(rv), (std::vector<double>{4, 9}));
}

TEST(BatchNormOps, BackwardMatchesFiniteDifferencesInBothModes) {
  Generator gen(51);
  for (const Shape& s : {Shape{4, 3, 2, 3}, Shape{2, 2, 1, 1}, Shape{5, 3}}) {
    const int64_t c = s[1];
    const Tensor x = testing::random_leaf(s, gen);
    const Tensor w = testing::random_leaf({c}, gen);
    const Tensor b = testing::random_leaf({c}, gen);
    const Tensor rm = randn({c}, gen, 0, 1, DType::Float64);
    const Tensor rv = rand({c}, gen, 0.5, 2.0, DType::Float64);
    for (const BatchNormMode mode : {BatchNormMode::training, BatchNormMode::inference}) {
      SCOPED_TRACE(shape_str(s) + (mode == BatchNormMode::training ? " training" : " inference"));
      EXPECT_GRADIENTS_MATCH(
          [&](const std::vector<Tensor>& in) { return batch_norm(in[0], in[1], in[2], rm, rv, mode); },
          (std::vector<Tensor>{x, w, b}));
    }
  }
}

TEST(BatchNormOps, FrozenAffineParametersGetNoGradient) {
  Generator gen(52);
  const Tensor x = testing::random_leaf({2, 3, 2, 2}, gen);
  const Tensor w = ones({3}, DType::Float64), b = zeros({3}, DType::Float64);
  const Tensor rm = zeros({3}, DType::Float64), rv = ones({3}, DType::Float64);
  sum(batch_norm(x, w, b, rm, rv, BatchNormMode::inference)).backward();
  EXPECT_TRUE(x.grad().defined());
  EXPECT_FALSE(w.grad().defined());
}

TEST(BatchNormOps, BadArgumentsAreErrors) {
  EXPECT_THROW(batch_norm(zeros({2, 3, 4, 4}), zeros({4}), Tensor(), Tensor(), Tensor(), BatchNormMode::training),
               Error);
  EXPECT_THROW(batch_norm(zeros({2, 3, 4, 4}), Tensor(), Tensor(), Tensor(), Tensor(), BatchNormMode::inference),
               Error);
  EXPECT_THROW(batch_norm(zeros({1, 3}), Tensor(), Tensor(), Tensor(), Tensor(), BatchNormMode::training),
               Error);  // one value
}

}  // namespace
}  // namespace idml
