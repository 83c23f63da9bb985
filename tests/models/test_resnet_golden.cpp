// ResNet-18 and ResNet-50 against torchvision (golden/make_models.py): the same
// deterministic weights and input give the same logits in eval mode and in
// train mode (batch statistics), the same running statistics after that one
// training forward, and the same gradients of a few parameters after
// backward of sum(logits * c).
#include <gtest/gtest.h>

#include <map>

#include "engine/autograd.h"
#include "engine/ops.h"
#include "models/resnet.h"
#include "tests/models/deterministic_fill.h"
#include "tests/models/golden_util.h"

namespace idml::testing {
namespace {

// The first 64 logits of every row and every row's sum of squares.
void expect_logits(const Tensor& logits, const nlohmann::json& golden, const std::string& mode) {
  const int64_t n = logits.size(0), classes = logits.size(1);
  const std::vector<float> all = logits.detach().to_vector<float>();
  std::vector<float> head;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < 64; ++j) head.push_back(all[i * classes + j]);
  expect_close(head, golden["head"], mode + " logits");
  for (int64_t i = 0; i < n; ++i) {
    double sum_sq = 0.0;
    for (int64_t j = 0; j < classes; ++j) sum_sq += static_cast<double>(all[i * classes + j]) * all[i * classes + j];
    expect_close_scalar(sum_sq, golden["row_sum_sq"][i].get<double>(), mode + " logits sum of squares, row " + std::to_string(i));
  }
}

class ResNetGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ResNetGolden, MatchesTorchvisionInEvalAndTrainMode) {
  const nlohmann::json& golden = models_golden()[GetParam()];
  Generator gen(1);
  auto model = models::make_resnet(GetParam(), gen);
  deterministic_fill(*model);
  const Tensor x = golden_input(golden["input_shape"].get<Shape>());

  model->eval();
  {
    NoGradGuard no_grad;
    expect_logits(model->forward(x), golden["eval_logits"], "eval");
  }

  model->train();
  const Tensor logits = model->forward(x);
  expect_logits(logits, golden["train_logits"], "train");
  const nn::StateDict state = model->state_dict();
  for (const auto& [name, values] : golden["running"].items())
    expect_close(head_of(state.at(name), 32), values, name);
  EXPECT_EQ(state.at("bn1.num_batches_tracked").item(), golden["num_batches_tracked"].get<double>());

  const Tensor c = hash_tensor(logits.shape(), 2000, std::sqrt(12.0));
  const Tensor loss = sum(mul(logits, c));
  expect_close_scalar(loss.item(), golden["loss"].get<double>(), "loss", 1e-4 * sum(sqrt(mul(mul(logits, c), mul(logits, c)))).item());
  loss.backward();
  std::map<std::string, Tensor> params;
  for (const auto& [name, p] : model->named_parameters()) params[name] = p;
  for (const auto& [name, expected] : golden["grads"].items()) {
    const Tensor g = params.at(name).grad();
    ASSERT_TRUE(g.defined()) << name;
    expect_close(head_of(g, 64), expected["head"], name + " grad");
    double sum_sq = 0.0;
    for (float v : g.to_vector<float>()) sum_sq += static_cast<double>(v) * v;
    expect_close_scalar(sum_sq, expected["sum_sq"].get<double>(), name + " grad sum of squares");
  }
}

INSTANTIATE_TEST_SUITE_P(Torchvision, ResNetGolden, ::testing::Values("resnet18", "resnet50"));

}  // namespace
}  // namespace idml::testing
