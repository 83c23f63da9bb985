// Autograd semantics: accumulation, no-grad, frozen leaves, reuse of a tensor,
// seeds, graph release.
#include <gtest/gtest.h>

#include "engine/autograd.h"
#include "engine/ops.h"
#include "tests/engine/test_util.h"

namespace idml {
namespace {

TEST(Autograd, ScalarBackwardGivesTheDerivative) {
  const Tensor x = from_vector<double>({1, 2, 3}, {3}).set_requires_grad(true);
  sum(mul(x, x)).backward();  // d/dx sum x^2 = 2x
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{2, 4, 6}));
  EXPECT_TRUE(x.is_leaf());
}

TEST(Autograd, GradientsAccumulateAcrossBackwardsUntilZeroed) {
  const Tensor x = from_vector<double>({1, 2}, {2}).set_requires_grad(true);
  sum(mul_scalar(x, 3)).backward();
  sum(mul_scalar(x, 3)).backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{6, 6}));
  x.zero_grad();
  EXPECT_FALSE(x.grad().defined());
}

TEST(Autograd, ReusingATensorTwiceSumsBothPaths) {
  const Tensor x = from_vector<double>({2}, {1}).set_requires_grad(true);
  const Tensor y = mul(x, x);     // x used twice in one op
  const Tensor z = add(y, x);     // and again later
  sum(mul(z, y)).backward();      // d/dx (x^2 + x) x^2 = 4x^3 + 3x^2 = 32 + 12
  EXPECT_DOUBLE_EQ(x.grad().item(), 44.0);
}

TEST(Autograd, InputsOfAddGetIndependentGradientBuffers) {
  const Tensor a = zeros({2}, DType::Float64).set_requires_grad(true);
  const Tensor b = zeros({2}, DType::Float64).set_requires_grad(true);
  sum(add(a, b)).backward();
  sum(mul_scalar(a, 5)).backward();
  EXPECT_EQ(a.grad().to_vector<double>(), (std::vector<double>{6, 6}));
  EXPECT_EQ(b.grad().to_vector<double>(), (std::vector<double>{1, 1}));
}

TEST(Autograd, NoGradGuardRecordsNothing) {
  const Tensor x = ones({2}, DType::Float64).set_requires_grad(true);
  Tensor y;
  {
    NoGradGuard guard;
    EXPECT_FALSE(grad_enabled());
    y = mul_scalar(x, 2);
  }
  EXPECT_TRUE(grad_enabled());
  EXPECT_FALSE(y.requires_grad());
  EXPECT_EQ(y.grad_fn(), nullptr);
  EXPECT_THROW(sum(y).backward(), Error);
}

TEST(Autograd, FrozenLeavesGetNoGradientAndNoGraphIsBuiltWithoutTrainableInputs) {
  Generator gen(1);
  const Tensor x = randn({2, 3, 5, 5}, gen, 0, 1, DType::Float64);
  const Tensor frozen_w = randn({4, 3, 3, 3}, gen, 0, 1, DType::Float64);  // requires_grad false
  const Tensor y = conv2d(x, frozen_w, Tensor(), {1, 1, 1});
  EXPECT_FALSE(y.requires_grad());
  EXPECT_EQ(y.grad_fn(), nullptr);

  const Tensor head = randn({4}, gen, 0, 1, DType::Float64).set_requires_grad(true);
  sum(mul(relu(y), head.reshape({1, 4, 1, 1}))).backward();
  EXPECT_TRUE(head.grad().defined());
  EXPECT_FALSE(frozen_w.grad().defined());
}

TEST(Autograd, FrozenConvWeightSkipsItsGradientButInputGetsOne) {
  Generator gen(2);
  const Tensor x = testing::random_leaf({1, 2, 4, 4}, gen);
  const Tensor w = randn({3, 2, 3, 3}, gen, 0, 1, DType::Float64);
  sum(conv2d(x, w, Tensor(), {1, 1, 1})).backward();
  EXPECT_TRUE(x.grad().defined());
  EXPECT_FALSE(w.grad().defined());
}

TEST(Autograd, BackwardWithAGivenOutputGradient) {
  const Tensor x = from_vector<double>({1, 2}, {2}).set_requires_grad(true);
  const Tensor y = mul_scalar(x, 3);
  y.backward(from_vector<double>({1, 10}, {2}));
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{3, 30}));
  const Tensor z = mul_scalar(x, 3);
  EXPECT_THROW(z.backward(), Error);                         // non-scalar needs a gradient
  EXPECT_THROW(z.backward(ones({3}, DType::Float64)), Error);  // wrong shape
}

TEST(Autograd, GraphIsFreedAfterBackward) {
  const Tensor x = ones({2}, DType::Float64).set_requires_grad(true);
  const Tensor loss = sum(exp(x));
  loss.backward();
  EXPECT_TRUE(loss.grad_fn()->released());
  try {
    loss.backward();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("second time"), std::string::npos) << e.what();
  }
}

TEST(Autograd, SavedTensorsDoNotOutliveTheGraph) {
  std::weak_ptr<TensorImpl> saved;
  const Tensor x = ones({3}, DType::Float64).set_requires_grad(true);
  {
    Tensor y = exp(x);  // saves its output
    saved = y.impl_ptr();
    sum(y).backward();
  }
  EXPECT_TRUE(saved.expired());
}

TEST(Autograd, DetachCutsTheGraph) {
  const Tensor x = ones({2}, DType::Float64).set_requires_grad(true);
  const Tensor d = mul_scalar(x, 2).detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_TRUE(d.is_leaf());
}

TEST(Autograd, OnlyLeavesCanChangeRequiresGrad) {
  const Tensor x = ones({2}, DType::Float64).set_requires_grad(true);
  Tensor y = mul_scalar(x, 2);
  EXPECT_THROW(y.set_requires_grad(false), Error);
  EXPECT_THROW(arange(3).set_requires_grad(true), Error);
}

}  // namespace
}  // namespace idml
