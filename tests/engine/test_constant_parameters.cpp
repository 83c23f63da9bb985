// ConstantParameters (engine/constant_parameters.h): inside the scope
// conv2d_frozen_batch_norm folds once per set of parameters; with grad mode
// off the folded weight is held in oneDNN's layout and the values equal the
// fold made at every call; with it on, the forwards share the fold and the
// gradients equal those of a fold per forward.
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <thread>
#include <vector>

#include "engine/autograd.h"
#include "engine/constant_parameters.h"
#include "engine/cpu/onednn_conv.h"
#include "engine/generator.h"
#include "engine/ops.h"

namespace idml {
namespace {

struct ConvBn {
  Tensor weight, gamma, beta, mean, var;
  explicit ConvBn(Generator& gen, int64_t out = 32, int64_t in = 32)
      : weight(randn({out, in, 3, 3}, gen, 0.0, 0.1)),
        gamma(randn({out}, gen, 1.0, 0.2)),
        beta(randn({out}, gen, 0.0, 0.2)),
        mean(randn({out}, gen, 0.0, 0.2)),
        var(add_scalar(exp(randn({out}, gen, 0.0, 0.5)), 0.1)) {}
  Tensor operator()(const Tensor& x, const Tensor& residual = Tensor()) const {
    return conv2d_frozen_batch_norm(x, weight, gamma, beta, mean, var, 1e-5, Conv2dOptions{1, 1, 1},
                                    Conv2dEpilogue{residual, true});
  }
};

void expect_close(const Tensor& a, const Tensor& b, double tolerance) {
  const std::vector<float> va = to_plain(a).to_vector<float>(), vb = to_plain(b).to_vector<float>();
  ASSERT_EQ(va.size(), vb.size());
  for (size_t i = 0; i < va.size(); ++i) ASSERT_NEAR(va[i], vb[i], tolerance * (1 + std::fabs(vb[i]))) << i;
}

TEST(ConstantParameters, FoldsOnceAndEqualsTheFoldAtEveryCall) {
  for (const auto implementation : {cpu::ConvImplementation::OneDnn, cpu::ConvImplementation::Im2col}) {
    const cpu::ScopedConvImplementation choice(implementation);
    Generator gen(5);
    const ConvBn first(gen), second(gen);
    const Tensor x = randn({2, 32, 10, 10}, gen);
    NoGradGuard no_grad;
    const Tensor expected_first = first(x);
    const Tensor expected = second(expected_first, x);  // a residual, as in ResNet's blocks
    const ConstantParameters constants;
    for (int pass = 0; pass < 3; ++pass) {
      const Tensor y = second(first(x), x);
      EXPECT_EQ(constants.size(), 2u);
      // oneDNN's primitive reads the held weight as it reads its own reorder: the same numbers
      expect_close(y, expected, implementation == cpu::ConvImplementation::OneDnn ? 1e-6 : 0.0);
    }
  }
}

TEST(ConstantParameters, TheFoldedWeightIsHeldInOneDnnsLayout) {
  const cpu::ScopedConvImplementation onednn(cpu::ConvImplementation::OneDnn);
  const cpu::onednn::ScopedActivationLayout blocked(cpu::onednn::ActivationLayout::Blocked);
  Generator gen(6);
  const ConvBn conv(gen);
  const Tensor x = randn({1, 32, 8, 8}, gen);
  NoGradGuard no_grad;
  ConstantParameters constants;
  const Tensor y_held = conv(x);
  bool folded_again = false;
  const ConstantParameters::FoldedConv& held = constants.folded(
      {conv.weight, conv.gamma, conv.beta, conv.mean, conv.var}, 1e-5, [&] {
        folded_again = true;
        return ConstantParameters::FoldedConv{};
      });
  EXPECT_FALSE(folded_again);
  EXPECT_FALSE(held.weight.is_plain()) << "the folded weight stayed plain";
  EXPECT_EQ(held.weight.layout_name().rfind("oneDNN ", 0), 0u) << held.weight;
  // Converted by name, it is a * W; the held weight keeps its layout
  const Tensor a = div(conv.gamma, sqrt(add_scalar(conv.var, 1e-5)));
  expect_close(held.weight, mul(conv.weight, a.reshape({32, 1, 1, 1})), 1e-6);
  EXPECT_FALSE(held.weight.is_plain());
  // Another forward reads it as held, to the same values
  expect_close(conv(x), y_held, 0.0);
}

TEST(ConstantParameters, AnotherEpsFoldsAgain) {
  Generator gen(7);
  const ConvBn conv(gen);
  const Tensor x = randn({1, 32, 6, 6}, gen);
  NoGradGuard no_grad;
  const ConstantParameters constants;
  const auto bn_conv = [&](double eps) {
    return conv2d_frozen_batch_norm(x, conv.weight, conv.gamma, conv.beta, conv.mean, conv.var, eps, {1, 1, 1});
  };
  const auto values = [](const Tensor& t) { return to_plain(t).to_vector<float>(); };
  const std::vector<float> small_eps = values(bn_conv(1e-5)), large_eps = values(bn_conv(0.5));
  EXPECT_NE(small_eps, large_eps);
  EXPECT_EQ(values(bn_conv(0.5)), large_eps);
  EXPECT_EQ(constants.size(), 1u);  // the entry of these parameters, refolded for the new eps
}

// Two forwards in one scope while autograd records (the IDML step's clean and
// mixed passes) share one fold, whose output is held in oneDNN's layout: the
// gradients of W, gamma and beta equal those of folding at each forward, to
// float32 rounding (the two forwards' gradients are summed before the fold's
// backward instead of after).
TEST(ConstantParameters, ForwardsThatAutogradRecordsShareTheFold) {
  const cpu::ScopedConvImplementation onednn(cpu::ConvImplementation::OneDnn);
  const cpu::onednn::ScopedActivationLayout blocked(cpu::onednn::ActivationLayout::Blocked);
  Generator gen(8);
  ConvBn conv(gen);
  for (Tensor* p : {&conv.weight, &conv.gamma, &conv.beta}) p->set_requires_grad(true);
  const Tensor x1 = randn({2, 32, 6, 6}, gen), x2 = randn({2, 32, 6, 6}, gen);
  const auto gradients = [&](bool shared) {
    for (Tensor* p : {&conv.weight, &conv.gamma, &conv.beta}) p->zero_grad();
    Tensor y1, y2;
    {
      std::optional<ConstantParameters> scope;
      if (shared) scope.emplace();
      y1 = conv(x1);
      y2 = conv(x2);
      if (shared) {
        EXPECT_EQ(scope->size(), 1u);
        const ConstantParameters::FoldedConv& f = scope->folded(
            {conv.weight, conv.gamma, conv.beta, conv.mean, conv.var}, 1e-5, [] { return ConstantParameters::FoldedConv{}; });
        EXPECT_FALSE(f.weight.is_plain()) << "the shared fold stayed plain";
        EXPECT_NE(f.weight.grad_fn(), nullptr) << "the shared fold left the autograd graph";
      }
    }
    sum(add(mul(y1, y1), y2)).backward();
    return std::vector<Tensor>{conv.weight.grad().clone(), conv.gamma.grad().clone(), conv.beta.grad().clone()};
  };
  const std::vector<Tensor> apart = gradients(false), together = gradients(true);
  for (size_t i = 0; i < apart.size(); ++i) expect_close(together[i], apart[i], 1e-5);
  // a fold made without autograd is not used with it: the gradients still flow
  {
    const ConstantParameters scope;
    {
      NoGradGuard no_grad;
      conv(x1);
    }
    for (Tensor* p : {&conv.weight, &conv.gamma, &conv.beta}) p->zero_grad();
    sum(add(mul(conv(x1), conv(x1)), conv(x2))).backward();
  }
  expect_close(conv.gamma.grad(), apart[1], 1e-5);
}

TEST(ConstantParameters, ScopesNestAndBelongToTheirThread) {
  EXPECT_EQ(ConstantParameters::active(), nullptr);
  {
    const ConstantParameters outer;
    {
      const ConstantParameters inner;
      EXPECT_EQ(ConstantParameters::active(), &inner);
    }
    EXPECT_EQ(ConstantParameters::active(), &outer);
  }
  EXPECT_EQ(ConstantParameters::active(), nullptr);
  const ConstantParameters mine;
  bool seen_elsewhere = true;
  std::thread([&] {
    seen_elsewhere = ConstantParameters::active() != nullptr;
  }).join();
  EXPECT_FALSE(seen_elsewhere);
}

}  // namespace
}  // namespace idml
