// ResNet topology and names: the state_dict key order of ResNet-50 equals
// torchvision's (golden/resnet50_state_dict_names.txt), parameter counts of
// all four depths equal torchvision's, output shapes, unknown names. None of
// them needs the weights' values: the nets are built without draws.
#include <gtest/gtest.h>

#include <fstream>

#include "engine/autograd.h"
#include "models/resnet.h"
#include "nn/weights/state_dict.h"
#include "tests/models/deterministic_fill.h"

namespace idml::testing {
namespace {

TEST(ResNet, StateDictNamesEqualTorchvision) {
  std::ifstream in(std::string(IDML_MODELS_GOLDEN_DIR) + "/resnet50_state_dict_names.txt");
  ASSERT_TRUE(in.good());
  std::vector<std::string> expected;
  for (std::string line; std::getline(in, line);) expected.push_back(line);
  ASSERT_EQ(expected.size(), 320u);
  EXPECT_EQ(models::make_resnet("resnet50", nn::ParameterInit::skip())->state_dict_names(), expected);
}

TEST(ResNet, ParameterCountsEqualTorchvision) {
  // sum(p.numel() for p in torchvision.models.<name>().parameters())
  const std::vector<std::pair<std::string, int64_t>> counts = {
      {"resnet18", 11689512}, {"resnet34", 21797672}, {"resnet50", 25557032}, {"resnet101", 44549160}};
  for (const auto& [name, count] : counts) {
    auto model = models::make_resnet(name, nn::ParameterInit::skip());
    int64_t total = 0;
    for (const Tensor& p : model->parameters()) total += p.numel();
    EXPECT_EQ(total, count) << name;
  }
}

TEST(ResNet, ShapesAndFeatureChannels) {
  for (const auto& [name, channels] : std::vector<std::pair<std::string, int64_t>>{{"resnet18", 512}, {"resnet50", 2048}}) {
    auto model = models::make_resnet(name, nn::ParameterInit::skip(), 10);
    model->eval();
    NoGradGuard no_grad;
    const Tensor x = golden_input({1, 3, 64, 64});
    EXPECT_EQ(model->feature_channels(), channels);
    EXPECT_EQ(model->forward_features(x).shape(), (Shape{1, channels, 2, 2})) << name;
    EXPECT_EQ(model->forward(x).shape(), (Shape{1, 10})) << name;
  }
}

TEST(ResNet, UnknownNameAndBadInputAreErrors) {
  EXPECT_THROW(models::make_resnet("resnet51", nn::ParameterInit::skip()), Error);
  auto model = models::make_resnet("resnet18", nn::ParameterInit::skip());
  EXPECT_THROW(model->forward(zeros({1, 1, 32, 32})), Error);
}

}  // namespace
}  // namespace idml::testing
