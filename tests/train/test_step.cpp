// The pieces of the training step: the parameter groups and their learning
// rates (docs/METHOD.md#6-optimisation), the proxies' initialisation, which parameters change in
// warm-up and after, and the mixup step (the shared fold's gradients, a
// non-finite loss that updates nothing). ResNet-18 IDML nets at 32 px on
// random images.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/constant_parameters.h"
#include "engine/ops.h"
#include "nn/adam.h"
#include "train/freezing.h"
#include "train/losses/proxy_anchor.h"
#include "train/mixup_step.h"
#include "train/parameter_groups.h"

namespace idml::train {
namespace {

struct Snapshot {
  std::map<std::string, std::vector<float>> values;
};

Snapshot snapshot(const models::IDMLNet& net, const ProxyAnchor& loss) {
  Snapshot s;
  for (const auto& [name, t] : net.named_parameters()) s.values[name] = t.to_vector<float>();
  s.values["proxies"] = loss.proxies.to_vector<float>();
  return s;
}

TEST(ParameterGroups, FollowSpec) {
  Generator gen(5);
  models::IDMLNet net({"resnet18", 16, true, true}, gen);
  ProxyAnchor loss(3, 16, {}, gen);
  const std::vector<nn::ParamGroup> groups = idml_parameter_groups(net, loss, 1e-3, 1e-4);
  ASSERT_EQ(groups.size(), 3u);
  ASSERT_EQ(groups[1].params.size(), 2u);
  EXPECT_TRUE(groups[1].params[0].same(net.model->embedding->weight));
  EXPECT_TRUE(groups[1].params[1].same(net.model->embedding->bias));
  std::set<const TensorImpl*> group0;
  for (const Tensor& p : groups[0].params) group0.insert(&p.impl());
  EXPECT_EQ(group0.size() + 2, net.parameters().size());
  EXPECT_EQ(group0.count(&net.model->uncertainty->weight.impl()), 1u);
  EXPECT_EQ(group0.count(&net.model->embedding->weight.impl()), 0u);
  ASSERT_EQ(groups[2].params.size(), 1u);
  EXPECT_TRUE(groups[2].params[0].same(loss.proxies));
  EXPECT_DOUBLE_EQ(groups[0].lr, 1e-3);
  EXPECT_DOUBLE_EQ(groups[1].lr, 1e-3);
  EXPECT_DOUBLE_EQ(groups[2].lr, 1e-1);  // proxies at lr x 100
  for (const auto& group : groups) EXPECT_DOUBLE_EQ(group.weight_decay, 1e-4) << group.name;
}

TEST(ProxyAnchor, OwnsKaimingFanOutProxiesSavedAsProxies) {
  Generator gen(6);
  ProxyAnchor loss(200, 64, {}, gen);
  EXPECT_EQ(loss.state_dict_names(), std::vector<std::string>{"proxies"});
  EXPECT_EQ(loss.proxies.shape(), (Shape{200, 64}));
  EXPECT_TRUE(loss.proxies.requires_grad());
  const std::vector<float> v = loss.proxies.to_vector<float>();
  double sq = 0;
  for (float x : v) sq += double(x) * x;
  EXPECT_NEAR(std::sqrt(sq / v.size()), std::sqrt(2.0 / 200), 0.005);  // std = sqrt(2 / C)
}

TEST(Freezing, WarmUpTrainsOnlyTheEmbeddingAndProxiesThenEverything) {
  Generator gen(1);
  models::IDMLNet net({"resnet18", 8, true, true}, gen);
  ProxyAnchor loss(3, 8, {}, gen);
  nn::AdamW optimizer(idml_parameter_groups(net, loss, 1e-2, 1e-2));
  const Tensor images = randn({4, 3, 32, 32}, gen);
  const Tensor labels = from_vector<int64_t>({0, 1, 2, 0}, {4});
  net.train();

  apply_trainable_state(net, loss, /*epoch=*/0, /*warm=*/1);
  Snapshot before = snapshot(net, loss);
  mixup_train_step(net, loss, optimizer, images, labels, gen, {});
  Snapshot after = snapshot(net, loss);
  for (const auto& [name, values] : before.values) {
    const bool changed = values != after.values[name];
    const bool trains = name.rfind("model.embedding.", 0) == 0 || name == "proxies";
    EXPECT_EQ(changed, trains) << name << " in warm-up (no weight decay either for frozen ones)";
  }

  apply_trainable_state(net, loss, /*epoch=*/1, /*warm=*/1);
  before = after;
  mixup_train_step(net, loss, optimizer, images, labels, gen, {});
  after = snapshot(net, loss);
  for (const char* name : {"model.conv1.weight", "model.bn1.weight", "model.layer4.1.conv2.weight",
                           "model.uncertainty.weight", "model.embedding.weight", "proxies"})
    EXPECT_NE(before.values[name], after.values[name]) << name << " after warm-up";
  EXPECT_EQ(before.values["model.fc.weight"], after.values["model.fc.weight"]) << "fc is never used";
}

TEST(Freezing, WithoutWarmUpFrozenBatchNormKeepsItsAffineWeights) {
  Generator gen(2);
  models::IDMLNet net({"resnet18", 8, true, true}, gen);
  ProxyAnchor loss(3, 8, {}, gen);
  loss.set_requires_grad(false);
  apply_trainable_state(net, loss, 0, 0);
  for (const auto& [name, p] : net.named_parameters()) {
    const bool bn_affine = name.find("bn") != std::string::npos || name.find("downsample.1") != std::string::npos;
    EXPECT_EQ(p.requires_grad(), !bn_affine) << name;
  }
  EXPECT_TRUE(loss.proxies.requires_grad());
}

// The IDML step's two forwards share each frozen BN's fold
// (ConstantParameters in mixup_train_step): every gradient equals that of a
// fold per forward, to float32 rounding.
TEST(MixupStep, SharedFoldGivesTheGradientsOfAFoldPerForward) {
  Generator gen(4);
  models::IDMLNet net({"resnet18", 8, true, true}, gen);
  ProxyAnchor loss(3, 8, {}, gen);
  apply_trainable_state(net, loss, /*epoch=*/1, /*warm=*/1);  // after warm-up: W, gamma and beta train
  net.train();
  const Tensor images = randn({4, 3, 32, 32}, gen), labels = from_vector<int64_t>({0, 1, 2, 0}, {4});
  Generator draw_gen(5);
  const MixupDraw draw = draw_mixup(4, draw_gen);
  const Tensor mixed = add(mul_scalar(images, draw.lam),
                           mul_scalar(index_select(images, from_vector(draw.perm, {4})), 1.0 - draw.lam));
  const auto gradients = [&](bool shared) {
    for (const auto& [name, p] : net.named_parameters()) p.zero_grad();
    models::IDMLNet::Output clean, mix;
    {
      std::optional<ConstantParameters> scope;
      if (shared) scope.emplace();
      clean = net.forward(images);
      mix = net.forward(mixed);
    }
    mixup_loss(loss, clean, mix, labels, draw).backward();
    std::map<std::string, std::vector<float>> out;
    for (const auto& [name, p] : net.named_parameters())
      if (p.grad().defined()) out[name] = p.grad().to_vector<float>();
    return out;
  };
  const auto apart = gradients(false), together = gradients(true);
  ASSERT_EQ(apart.size(), together.size());
  ASSERT_GT(apart.size(), 40u);
  for (const auto& [name, expected] : apart) {
    const std::vector<float>& got = together.at(name);
    double largest = 0, difference = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
      largest = std::max(largest, std::abs(double(expected[i])));
      difference = std::max(difference, std::abs(double(expected[i]) - got[i]));
    }
    EXPECT_LE(difference, 1e-6 * largest) << name << ": largest " << largest;
  }
}

// The loss is read once the update is queued (one host read per step): a NaN
// loss is an error after the step; the trainer then stops without saving
// (test_trainer.cpp: the last good checkpoint is left as it was).
TEST(MixupStep, NonFiniteLossIsAnErrorNamingIt) {
  Generator gen(3);
  models::IDMLNet net({"resnet18", 8, true, false}, gen);
  ProxyAnchor loss(3, 8, {}, gen);
  loss.proxies.copy_(full({3, 8}, NAN));
  nn::AdamW optimizer(idml_parameter_groups(net, loss, 1e-2, 1e-2));
  try {
    mixup_train_step(net, loss, optimizer, randn({4, 3, 32, 32}, gen), from_vector<int64_t>({0, 1, 2, 0}, {4}), gen,
                     {});
    FAIL() << "a NaN loss must throw";
  } catch (const NonFiniteLoss& e) {
    EXPECT_NE(std::string(e.what()).find("loss is NaN"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace idml::train
