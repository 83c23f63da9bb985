// The classification networks of docs/METHOD.md#10-classification: PyramidNet-200's parameter count as
// the authors' code builds it, the stride-2 shortcut pooling, the ISM
// uncertainty heads, and the ResNet-50 classifier's logits against
// torchvision's (the golden of test_resnet_golden: same weights, same input).
#include <gtest/gtest.h>

#include "engine/autograd.h"
#include "engine/ops.h"
#include "models/classifier_net.h"
#include "models/pyramidnet.h"
#include "tests/models/deterministic_fill.h"
#include "tests/models/golden_util.h"

namespace idml::testing {
namespace {

int64_t count_parameters(const nn::Module& module, const std::string& skip_prefix = "") {
  int64_t total = 0;
  for (const auto& [name, p] : module.named_parameters())
    if (skip_prefix.empty() || name.rfind(skip_prefix, 0) != 0) total += p.numel();
  return total;
}

TEST(PyramidNet, Depth200Alpha240HasThePublishedParameterCount) {
  Generator gen(0);
  models::PyramidNet net({200, 240, true, 100, 128}, gen);
  // CutMix-PyTorch's PyramidNet(cifar100, 200, 240, bottleneck): 26.8M as published.
  EXPECT_EQ(count_parameters(net, "uncertainty."), 26844952);
  EXPECT_EQ(count_parameters(net), 26976152);
  EXPECT_EQ(net.feature_channels(), 1024);
  EXPECT_EQ(net.uncertainty->out_features(), 128);
  EXPECT_EQ(net.fc->out_features(), 100);
}

TEST(PyramidNet, SmallDepthsRunOnCifarInputs) {
  Generator gen(1);
  models::PyramidNet net({11, 24, true, 10, 16}, gen);  // one bottleneck block per stage
  const Tensor x = randn({2, 3, 32, 32}, gen);
  const models::ClassifierOutput out = net.classify(x, models::Uncertainty::compute);
  EXPECT_EQ(out.logits.shape(), (Shape{2, 10}));
  EXPECT_EQ(out.features.shape(), (Shape{2, net.feature_channels()}));
  EXPECT_EQ(out.uncertainty.shape(), (Shape{2, 16}));
  for (float v : out.uncertainty.to_vector<float>()) EXPECT_GE(v, 0.0f);  // relu
  // Widths: 16 + 8 = 24 (x4 = 96), 32 (128), 40 (160).
  EXPECT_EQ(net.feature_channels(), 160);
  models::PyramidNet basic({8, 48, false, 10, 16}, gen);
  EXPECT_EQ(basic.classify(x, models::Uncertainty::skip).logits.shape(), (Shape{2, 10}));
  EXPECT_FALSE(basic.classify(x, models::Uncertainty::skip).uncertainty.defined());
  EXPECT_THROW(models::PyramidNet({12, 24, true, 10, 16}, gen), Error);  // not 9 n + 2
}

TEST(PyramidNet, ShortcutAveragePoolIsTheMeanOfEachTwoByTwoCell) {
  std::vector<float> v(2 * 4 * 4);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  const Tensor x = from_vector(v, {1, 2, 4, 4});
  const std::vector<float> y = models::avg_pool2x2(x).to_vector<float>();
  ASSERT_EQ(y.size(), 8u);
  EXPECT_FLOAT_EQ(y[0], (0 + 1 + 4 + 5) / 4.0f);
  EXPECT_FLOAT_EQ(y[3], (10 + 11 + 14 + 15) / 4.0f);
  EXPECT_FLOAT_EQ(y[4], (16 + 17 + 20 + 21) / 4.0f);
  EXPECT_THROW(models::avg_pool2x2(zeros({1, 1, 3, 4})), Error);
}

TEST(ResNetClassifier, ResNet50LogitsEqualTorchvisionsOnTheSameWeights) {
  const nlohmann::json& golden = models_golden()["resnet50"];
  Generator gen(1);
  models::ResNetClassifier net("resnet50", 1000, 512, gen);
  // uncertainty.* comes last in state order, so the trunk and fc get the golden's weights.
  deterministic_fill(net);
  EXPECT_EQ(net.uncertainty->in_features(), 2048);
  EXPECT_EQ(net.uncertainty->out_features(), 512);
  net.eval();
  NoGradGuard no_grad;
  const Tensor x = golden_input(golden["input_shape"].get<Shape>());
  const models::ClassifierOutput out = net.classify(x, models::Uncertainty::compute);
  const int64_t classes = out.logits.size(1);
  const std::vector<float> all = out.logits.to_vector<float>();
  std::vector<float> head;
  for (int64_t i = 0; i < out.logits.size(0); ++i)
    for (int64_t j = 0; j < 64; ++j) head.push_back(all[i * classes + j]);
  expect_close(head, golden["eval_logits"]["head"], "classifier eval logits");
  EXPECT_EQ(out.uncertainty.shape(), (Shape{x.size(0), 512}));
}

TEST(ClassifierFactory, BuildsEitherTrunkWithItsUncertaintySize) {
  Generator gen(2);
  auto pyramid = models::make_classifier({"pyramidnet", 10, 11, 24, true, 0}, gen);
  EXPECT_EQ(pyramid->uncertainty_layer().out_features(), 128);
  auto resnet = models::make_classifier({"resnet18", 7, 0, 0, true, 0}, gen);
  EXPECT_EQ(resnet->uncertainty_layer().out_features(), 512);
  EXPECT_EQ(resnet->num_classes(), 7);
  EXPECT_TRUE(resnet->module().state_dict().count("conv1.weight"));
  EXPECT_THROW(models::make_classifier({"vgg", 10, 0, 0, true, 0}, gen), Error);
}

}  // namespace
}  // namespace idml::testing
