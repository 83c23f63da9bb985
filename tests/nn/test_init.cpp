// Initialisers: PyTorch's fan rules, kaiming normal/uniform spreads, the
// default Conv/Linear bounds, determinism under a seed, and skipped draws
// (zeros, for a model a checkpoint is loaded into).
#include <gtest/gtest.h>

#include <cmath>

#include "engine/error.h"
#include "nn/conv2d.h"
#include "nn/init.h"
#include "nn/linear.h"

namespace idml::nn {
namespace {

struct Stats {
  double mean, std, max_abs;
};
Stats stats_of(const Tensor& t) {
  double s = 0, s2 = 0, m = 0;
  for (float v : t.to_vector<float>()) {
    s += v;
    s2 += double(v) * v;
    m = std::max(m, double(std::abs(v)));
  }
  const double n = double(t.numel());
  return {s / n, std::sqrt(s2 / n - (s / n) * (s / n)), m};
}

TEST(Init, FansFollowTorch) {
  const init::Fans f = init::fans(empty({64, 3, 7, 7}));
  EXPECT_EQ(f.fan_in, 3 * 49);
  EXPECT_EQ(f.fan_out, 64 * 49);
  EXPECT_EQ(init::fans(empty({10, 20})).fan_in, 20);
  EXPECT_THROW(init::fans(empty({5})), Error);
}

TEST(Init, KaimingNormalStd) {
  Generator gen(1);
  const Tensor w = empty({256, 128, 3, 3});
  init::kaiming_normal_(w, gen, init::FanMode::FanOut);
  const Stats s = stats_of(w);
  EXPECT_NEAR(s.mean, 0.0, 1e-3);
  EXPECT_NEAR(s.std, std::sqrt(2.0 / (256 * 9)), 2e-4);
  init::kaiming_normal_(w, gen, init::FanMode::FanIn);
  EXPECT_NEAR(stats_of(w).std, std::sqrt(2.0 / (128 * 9)), 2e-4);
}

TEST(Init, KaimingUniformBound) {
  Generator gen(2);
  const Tensor w = empty({300, 200});
  init::kaiming_uniform_(w, gen);
  const double bound = std::sqrt(2.0) * std::sqrt(3.0 / 200);
  const Stats s = stats_of(w);
  EXPECT_LE(s.max_abs, bound);
  EXPECT_GT(s.max_abs, 0.99 * bound);
}

TEST(Init, DefaultConvAndLinearInitIsUniformOneOverSqrtFanIn) {
  Generator gen(3);
  Linear linear(400, 300, gen);
  Conv2d conv(Conv2dConfig{16, 300, 5}, gen);
  for (const auto& [weight, bias, fan_in] :
       {std::tuple<Tensor, Tensor, double>{linear.weight, linear.bias, 400.0}, {conv.weight, conv.bias, 16.0 * 25}}) {
    const double bound = 1.0 / std::sqrt(fan_in);
    const Stats w = stats_of(weight);
    EXPECT_LE(w.max_abs, bound);
    EXPECT_NEAR(w.std, bound / std::sqrt(3.0), 0.02 * bound);
    const Stats b = stats_of(bias);
    EXPECT_LE(b.max_abs, bound);
    EXPECT_GT(b.max_abs, 0.8 * bound);
  }
}

TEST(Init, SameSeedSameWeights) {
  Generator a(7), b(7), c(8);
  EXPECT_EQ(Linear(5, 4, a).weight.to_vector<float>(), Linear(5, 4, b).weight.to_vector<float>());
  EXPECT_NE(Linear(5, 4, a).weight.to_vector<float>(), Linear(5, 4, c).weight.to_vector<float>());
}

TEST(Init, SkippedParametersAreZerosAndTheGeneratorIsUntouched) {
  Generator gen(7), fresh(7);
  const ParameterInit skip = ParameterInit::skip();
  EXPECT_FALSE(skip.draws());
  EXPECT_THROW(skip.generator(), Error);
  Linear linear(5, 4, skip);
  Conv2d conv(Conv2dConfig{3, 6, 3}, skip);
  const Tensor w = empty({8, 4, 3, 3});
  init::kaiming_normal_(w, skip, init::FanMode::FanOut);
  for (const Tensor& t : {linear.weight, linear.bias, conv.weight, conv.bias, w})
    for (float v : t.to_vector<float>()) ASSERT_EQ(v, 0.0f) << t.str();
  // A generator still draws as before: the same values as one no skipped module came near.
  EXPECT_EQ(Linear(5, 4, gen).weight.to_vector<float>(), Linear(5, 4, fresh).weight.to_vector<float>());
}

}  // namespace
}  // namespace idml::nn
