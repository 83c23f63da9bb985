// Optimisers against torch.optim (golden/make_optim.py): three steps on two
// groups with their own lr and weight decay, a parameter that never has a
// gradient (no state, no decay), and an exact resume through the state
// export/import.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <memory>

#include <nlohmann/json.hpp>

#include "engine/ops.h"
#include "nn/adam.h"
#include "nn/rmsprop.h"
#include "nn/sgd.h"
#include "nn/weights/safetensors.h"
#include "tests/private_directory.h"

namespace idml::nn {
namespace {

const nlohmann::json& golden() {
  static const nlohmann::json g = [] {
    std::ifstream in(std::string(IDML_NN_GOLDEN_DIR) + "/optim.json");
    if (!in) throw std::runtime_error("cannot open optim.json");
    return nlohmann::json::parse(in);
  }();
  return g;
}

// sin(0.7 i + 1.3 k) in double, stored as float32 (as the script does).
Tensor formula(const Shape& shape, int64_t k) {
  std::vector<float> v;
  for (int64_t i = 0; i < shape_numel(shape); ++i) v.push_back(static_cast<float>(std::sin(0.7 * i + 1.3 * k)));
  return from_vector(v, shape);
}

using Factory = std::function<std::unique_ptr<Optimizer>(std::vector<ParamGroup>)>;

std::map<std::string, Factory> factories() {
  return {
      {"sgd", [](auto g) { return std::make_unique<SGD>(std::move(g), SGDOptions{}); }},
      {"sgd_momentum_dampening", [](auto g) { return std::make_unique<SGD>(std::move(g), SGDOptions{0.9, 0.1, false}); }},
      {"sgd_nesterov", [](auto g) { return std::make_unique<SGD>(std::move(g), SGDOptions{0.9, 0.0, true}); }},
      {"adam", [](auto g) { return std::make_unique<Adam>(std::move(g)); }},
      {"adamw", [](auto g) { return std::make_unique<AdamW>(std::move(g)); }},
      {"rmsprop", [](auto g) { return std::make_unique<RMSprop>(std::move(g), RMSpropOptions{0.9, 1e-8, 0.0}); }},
      {"rmsprop_momentum", [](auto g) { return std::make_unique<RMSprop>(std::move(g), RMSpropOptions{0.9, 1e-8, 0.9}); }},
  };
}

struct Problem {
  std::vector<Tensor> params;
  std::unique_ptr<Optimizer> optimizer;
};

Problem make_problem(const Factory& factory) {
  Problem p;
  const auto shapes = golden()["shapes"].get<std::vector<Shape>>();
  for (size_t i = 0; i < shapes.size(); ++i) p.params.push_back(formula(shapes[i], 10 + int64_t(i)).set_requires_grad(true));
  p.optimizer = factory({ParamGroup{"first", {p.params[0], p.params[1]}, 0.1, 0.05},
                         ParamGroup{"second", {p.params[2], p.params[3]}, 0.03, 0.2}});
  return p;
}

// Step `step` (0-based): grad_i = formula(100 (step + 1) + i) * (step + 1) for params 0..2.
void set_grads_and_step(Problem& p, int step) {
  for (int i = 0; i < 3; ++i) {
    const Tensor g = formula(p.params[i].shape(), 100 * (step + 1) + i);
    p.params[i].set_grad(mul_scalar(g, step + 1));
  }
  p.optimizer->step();
}

class OptimizerGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(OptimizerGolden, ThreeStepsEqualTorch) {
  Problem p = make_problem(factories().at(GetParam()));
  const nlohmann::json& expected = golden()["cases"][GetParam()];
  for (int step = 0; step < golden()["steps"].get<int>(); ++step) set_grads_and_step(p, step);
  for (size_t i = 0; i < p.params.size(); ++i) {
    const std::vector<float> ours = p.params[i].to_vector<float>();
    const auto torch_values = expected[i].get<std::vector<double>>();
    ASSERT_EQ(ours.size(), torch_values.size());
    for (size_t j = 0; j < ours.size(); ++j)
      EXPECT_NEAR(ours[j], torch_values[j], 1e-5 * std::max(1.0, std::abs(torch_values[j])))
          << GetParam() << " param " << i << " element " << j;
  }
  // The parameter without gradient: untouched (no decay) and stateless.
  EXPECT_EQ(p.optimizer->state(3), nullptr);
  EXPECT_EQ(p.optimizer->state(0)->step, 3);
}

TEST_P(OptimizerGolden, ExportImportResumesExactly) {
  Problem a = make_problem(factories().at(GetParam()));
  set_grads_and_step(a, 0);
  set_grads_and_step(a, 1);
  const weights::StateDict exported = a.optimizer->state_dict();
  Problem b = make_problem(factories().at(GetParam()));
  for (size_t i = 0; i < a.params.size(); ++i) b.params[i].copy_(a.params[i]);
  b.optimizer->load_state_dict(exported);
  EXPECT_EQ(b.optimizer->state(1)->step, 2);
  set_grads_and_step(a, 2);
  set_grads_and_step(b, 2);
  for (size_t i = 0; i < a.params.size(); ++i)
    EXPECT_EQ(a.params[i].to_vector<float>(), b.params[i].to_vector<float>()) << GetParam() << " param " << i;
}

INSTANTIATE_TEST_SUITE_P(Torch, OptimizerGolden,
                         ::testing::Values("sgd", "sgd_momentum_dampening", "sgd_nesterov", "adam", "adamw", "rmsprop",
                                           "rmsprop_momentum"));

TEST(Optimizer, BadStateImportIsAnErrorAndChangesNothing) {
  Problem p = make_problem(factories().at("adam"));
  set_grads_and_step(p, 0);
  weights::StateDict dict = p.optimizer->state_dict();
  dict["state.0.exp_avg"] = zeros({2, 2});
  const weights::StateDict before = p.optimizer->state_dict();
  try {
    p.optimizer->load_state_dict(dict);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("state.0.exp_avg"), std::string::npos) << e.what();
  }
  EXPECT_EQ(p.optimizer->state(0)->tensors.at("exp_avg").to_vector<float>(),
            before.at("state.0.exp_avg").to_vector<float>());
  dict = before;
  dict["state.9.step"] = scalar_tensor(1, DType::Int64);
  EXPECT_THROW(p.optimizer->load_state_dict(dict), Error);
  dict = before;
  dict.erase("state.0.exp_avg_sq");
  EXPECT_THROW(p.optimizer->load_state_dict(dict), Error);
}

// Learning rates go through a safetensors checkpoint as F64, bit for bit (the
// trainer's resume relies on it); a checkpoint from before, holding them as
// F32, still loads, with the float32 values.
TEST(Optimizer, LearningRatesSurviveASafetensorsFileExactly) {
  Problem p = make_problem(factories().at("adamw"));
  p.optimizer->param_groups()[0].lr = 1e-3 / 3;  // not a float32 value
  p.optimizer->param_groups()[0].initial_lr = 0.1 * 0.7;
  set_grads_and_step(p, 0);
  const std::string path = testing::private_path("optimizer_lr.safetensors");
  weights::save_safetensors(path, p.optimizer->state_dict());
  Problem q = make_problem(factories().at("adamw"));
  q.optimizer->load_state_dict(weights::load_safetensors(path));
  EXPECT_EQ(q.optimizer->param_groups()[0].lr, 1e-3 / 3);
  EXPECT_EQ(q.optimizer->param_groups()[0].initial_lr, 0.1 * 0.7);
  EXPECT_EQ(q.optimizer->param_groups()[1].lr, 0.03);

  weights::StateDict old = p.optimizer->state_dict();
  for (auto& [name, tensor] : old)
    if (name.rfind("param_groups.", 0) == 0) tensor = tensor.to(DType::Float32);
  weights::save_safetensors(path, old);
  Problem r = make_problem(factories().at("adamw"));
  r.optimizer->load_state_dict(weights::load_safetensors(path));
  EXPECT_EQ(r.optimizer->param_groups()[0].lr, static_cast<double>(static_cast<float>(1e-3 / 3)));
  EXPECT_EQ(r.optimizer->param_groups()[1].initial_lr, static_cast<double>(0.03f));
}

TEST(Optimizer, RejectsDuplicatesAndNonLeaves) {
  const Tensor w = zeros({2}).set_requires_grad(true);
  EXPECT_THROW(SGD({ParamGroup{"a", {w}, 0.1}, ParamGroup{"b", {w}, 0.1}}, {}), Error);
  EXPECT_THROW(SGD({ParamGroup{"a", {mul_scalar(w, 2.0)}, 0.1}}, {}), Error);
  EXPECT_THROW(SGD({ParamGroup{"a", {zeros({2})}, 0.1}}, SGDOptions{0.0, 0.0, true}), Error);
}

TEST(Optimizer, ZeroGradDropsGradients) {
  Problem p = make_problem(factories().at("sgd"));
  set_grads_and_step(p, 0);
  p.optimizer->zero_grad();
  for (const Tensor& t : p.params) EXPECT_FALSE(t.grad().defined());
  const std::vector<float> before = p.params[0].to_vector<float>();
  p.optimizer->step();  // nothing has a gradient: nothing moves
  EXPECT_EQ(p.params[0].to_vector<float>(), before);
}

}  // namespace
}  // namespace idml::nn
