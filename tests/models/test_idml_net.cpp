// The IDML network (docs/METHOD.md#2-model) against the reference wrapper in PyTorch
// (golden/make_models.py: ResNet-18 trunk, D = 16, BN frozen, l2-norm on):
// outputs, gradients, checkpoint names; plus BN freeze, the l2-norm switch,
// head initialisation (the docs/METHOD.md#6-optimisation parameter groups: tests/train/test_trainer.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "engine/autograd.h"
#include "engine/ops.h"
#include "models/idml_net.h"
#include "nn/weights/load_weights.h"
#include "nn/weights/safetensors.h"
#include "tests/models/deterministic_fill.h"
#include "tests/models/golden_util.h"
#include "tests/private_directory.h"

namespace idml::testing {
namespace {

models::IDMLNetConfig small_config() {
  models::IDMLNetConfig config;
  config.backbone = "resnet18";
  config.embedding_size = 16;
  return config;
}

TEST(IDMLNet, MatchesReferenceWrapper) {
  const nlohmann::json& golden = models_golden()["idml"];
  Generator gen(1);
  models::IDMLNet net(small_config(), gen);
  EXPECT_EQ(net.state_dict_names(), golden["state_dict_names"].get<std::vector<std::string>>());
  deterministic_fill(net);
  net.train();  // BN stays in inference mode: frozen
  const Tensor x = golden_input(golden["input_shape"].get<Shape>());
  const models::IDMLNet::Output out = net.forward(x);
  expect_close(out.semantic.detach().to_vector<float>(), golden["semantic"], "semantic");
  expect_close(out.uncertainty.detach().to_vector<float>(), golden["uncertainty"], "uncertainty");
  sum(mul(out.semantic, hash_tensor(out.semantic.shape(), 3000, std::sqrt(12.0)))).backward();
  std::map<std::string, Tensor> params;
  for (const auto& [name, p] : net.named_parameters()) params[name] = p;
  for (const auto& [name, expected] : golden["grads"].items()) {
    const Tensor g = params.at(name).grad();
    ASSERT_TRUE(g.defined()) << name;
    expect_close(head_of(g, 64), expected["head"], name + " grad");
  }
  EXPECT_FALSE(params.at("model.bn1.weight").grad().defined()) << "frozen BN affine got a gradient";
  EXPECT_FALSE(params.at("model.fc.weight").grad().defined()) << "fc is not used by the IDML net";
}

TEST(IDMLNet, BatchNormFreezeKeepsRunningStatistics) {
  Generator gen(2);
  models::IDMLNet net(small_config(), gen);
  net.train();
  const nn::StateDict state = net.state_dict();
  const std::vector<float> mean_before = state.at("model.layer1.0.bn1.running_mean").to_vector<float>();
  net.forward(golden_input({2, 3, 32, 32}));
  EXPECT_EQ(state.at("model.layer1.0.bn1.running_mean").to_vector<float>(), mean_before);
  EXPECT_EQ(state.at("model.layer1.0.bn1.num_batches_tracked").item(), 0.0);
  EXPECT_FALSE(state.at("model.bn1.weight").requires_grad());
  EXPECT_TRUE(state.at("model.conv1.weight").requires_grad());

  models::IDMLNetConfig unfrozen = small_config();
  unfrozen.bn_freeze = false;
  models::IDMLNet trained(unfrozen, gen);
  trained.train();
  trained.forward(golden_input({2, 3, 32, 32}));
  EXPECT_EQ(trained.state_dict().at("model.bn1.num_batches_tracked").item(), 1.0);
}

TEST(IDMLNet, L2NormSwitch) {
  for (bool l2 : {true, false}) {
    models::IDMLNetConfig config = small_config();
    config.l2_norm = l2;
    Generator gen(3);
    models::IDMLNet net(config, gen);
    net.eval();
    NoGradGuard no_grad;
    const models::IDMLNet::Output out = net.forward(golden_input({2, 3, 32, 32}));
    ASSERT_EQ(out.semantic.shape(), (Shape{2, 16}));
    ASSERT_EQ(out.uncertainty.shape(), (Shape{2, 16}));
    const std::vector<float> s = out.semantic.to_vector<float>();
    double norm = 0.0;
    for (int j = 0; j < 16; ++j) norm += static_cast<double>(s[j]) * s[j];
    if (l2) EXPECT_NEAR(norm, 1.0, 1e-5);
    else EXPECT_GT(std::abs(norm - 1.0), 1e-3);
  }
}

TEST(IDMLNet, HeadInitialisation) {
  models::IDMLNetConfig config;
  config.backbone = "resnet50";
  config.embedding_size = 512;
  Generator gen(4);
  models::IDMLNet net(config, gen);
  auto stats = [](const Tensor& t) {
    double s = 0.0, s2 = 0.0, max_abs = 0.0;
    for (float v : t.to_vector<float>()) {
      s += v;
      s2 += static_cast<double>(v) * v;
      max_abs = std::max(max_abs, static_cast<double>(std::abs(v)));
    }
    const double n = static_cast<double>(t.numel());
    return std::vector<double>{s / n, std::sqrt(s2 / n - (s / n) * (s / n)), max_abs};
  };
  // embedding: kaiming normal fan_out, std sqrt(2 / 512); bias 0
  const auto e = stats(net.model->embedding->weight);
  EXPECT_NEAR(e[1], std::sqrt(2.0 / 512), 0.002);
  EXPECT_EQ(stats(net.model->embedding->bias)[2], 0.0);
  // uncertainty: U(-1/sqrt(2048), 1/sqrt(2048)) for weight and bias, std bound / sqrt(3)
  const double bound = 1.0 / std::sqrt(2048.0);
  const auto u = stats(net.model->uncertainty->weight);
  EXPECT_LE(u[2], bound);
  EXPECT_NEAR(u[1], bound / std::sqrt(3.0), 0.0005);
  EXPECT_LE(stats(net.model->uncertainty->bias)[2], bound);
  // torchvision conv init: kaiming normal fan_out = 64 * 7 * 7
  EXPECT_NEAR(stats(net.model->conv1->weight)[1], std::sqrt(2.0 / (64 * 49)), 0.002);
}

TEST(IDMLNet, CheckpointRoundTripThroughSafetensors) {
  Generator gen(6);
  models::IDMLNet trained(small_config(), gen), restored(small_config(), gen);
  deterministic_fill(trained);
  const std::string path = idml::testing::private_path("idml_net.safetensors");
  weights::save_safetensors(path, trained.state_dict());
  const weights::LoadedWeights file = weights::load_weights(path);
  std::remove(path.c_str());
  restored.load_state_dict(file.tensors);  // strict: names are model.*, heads included
  trained.eval();
  restored.eval();
  NoGradGuard no_grad;
  const Tensor x = golden_input({2, 3, 32, 32});
  EXPECT_EQ(trained.forward(x).semantic.to_vector<float>(), restored.forward(x).semantic.to_vector<float>());
  EXPECT_EQ(trained.forward(x).uncertainty.to_vector<float>(), restored.forward(x).uncertainty.to_vector<float>());
}

}  // namespace
}  // namespace idml::testing
