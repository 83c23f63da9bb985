// StepLR against torch.optim.lr_scheduler.StepLR (golden/make_optim.py) and
// resuming at an epoch; clip_grad_value_ clamps every element and leaves
// parameters without gradient alone.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "nn/clip_grad.h"
#include "nn/lr_scheduler.h"
#include "nn/sgd.h"

namespace idml::nn {
namespace {

TEST(StepLR, EqualsTorchAndResumes) {
  std::ifstream in(std::string(IDML_NN_GOLDEN_DIR) + "/optim.json");
  ASSERT_TRUE(in.good());
  const auto expected = nlohmann::json::parse(in)["step_lr"].get<std::vector<std::vector<double>>>();
  const Tensor a = zeros({1}).set_requires_grad(true), b = zeros({1}).set_requires_grad(true);
  SGD sgd({ParamGroup{"a", {a}, 0.1}, ParamGroup{"b", {b}, 0.03}}, {});
  StepLR schedule(sgd, 2, 0.5);
  for (size_t epoch = 0; epoch < expected.size(); ++epoch) {
    for (size_t g = 0; g < 2; ++g)
      EXPECT_NEAR(sgd.param_groups()[g].lr, expected[epoch][g], 1e-15) << "epoch " << epoch << " group " << g;
    schedule.step();
  }
  StepLR resumed(sgd, 2, 0.5);
  resumed.set_epoch(5);
  EXPECT_NEAR(sgd.param_groups()[0].lr, 0.1 * 0.25, 1e-15);
  EXPECT_EQ(resumed.epoch(), 5);
  EXPECT_THROW(StepLR(sgd, 0, 0.5), Error);
}

TEST(ClipGradValue, ClampsEveryElement) {
  const Tensor a = zeros({4}).set_requires_grad(true), b = zeros({2}).set_requires_grad(true);
  a.set_grad(from_vector<float>({-20, -10, 3, 11}, {4}));
  clip_grad_value_({a, b}, 10.0);
  EXPECT_EQ(a.grad().to_vector<float>(), (std::vector<float>{-10, -10, 3, 10}));
  EXPECT_FALSE(b.grad().defined());
  EXPECT_THROW(clip_grad_value_({a}, -1.0), Error);
}

}  // namespace
}  // namespace idml::nn
