// Loading an ImageNet-style state dict into a ResNet trunk: strict on every
// torchvision name except fc.* (ignored and reported), errors that list
// missing / unexpected / mismatched keys by name, and no partial load.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "tests/error_of.h"
#include "models/idml_net.h"
#include "models/pretrained.h"
#include "nn/weights/safetensors.h"
#include "tests/models/deterministic_fill.h"

namespace idml::testing {
namespace {

nn::StateDict imagenet_like_dict() {
  Generator gen(7);
  auto source = models::make_resnet("resnet18", gen);
  deterministic_fill(*source);
  nn::StateDict dict;
  for (const auto& [name, t] : source->state_dict()) dict[name] = t.clone();
  return dict;
}

using testing::error_of;

TEST(Pretrained, LoadsTrunkFromSafetensorsAndIgnoresFc) {
  const nn::StateDict dict = imagenet_like_dict();
  const std::string path = (std::filesystem::temp_directory_path() / "idml_test_pretrained.safetensors").string();
  weights::save_safetensors(path, dict);
  Generator gen(8);
  models::IDMLNetConfig config;
  config.backbone = "resnet18";
  config.embedding_size = 8;
  models::IDMLNet net(config, gen);
  const std::vector<float> fc_before = net.model->fc->weight.to_vector<float>();
  const std::vector<float> embedding_before = net.model->embedding->weight.to_vector<float>();
  const models::PretrainedReport report = models::load_pretrained_backbone(*net.model, path);
  std::remove(path.c_str());
  EXPECT_EQ(report.format, "safetensors");
  EXPECT_EQ(report.loaded, dict.size() - 2);
  EXPECT_EQ(report.ignored, (std::vector<std::string>{"fc.bias", "fc.weight"}));
  EXPECT_NE(report.summary().find("ignored fc.bias, fc.weight"), std::string::npos) << report.summary();
  const nn::StateDict state = net.model->state_dict();
  for (const auto& [name, t] : dict) {
    if (name.rfind("fc.", 0) == 0) continue;
    EXPECT_EQ(state.at(name).to(DType::Float64).to_vector<double>(), t.to(DType::Float64).to_vector<double>())
        << name;
  }
  EXPECT_EQ(net.model->fc->weight.to_vector<float>(), fc_before);
  EXPECT_EQ(net.model->embedding->weight.to_vector<float>(), embedding_before);
}

TEST(Pretrained, ErrorsListEveryProblemByNameAndLoadNothing) {
  nn::StateDict dict = imagenet_like_dict();
  dict.erase("layer1.0.conv1.weight");
  dict.erase("bn1.running_var");
  dict["layer5.0.conv1.weight"] = zeros({1});
  dict["conv1.weight"] = zeros({64, 3, 3, 3});
  Generator gen(9);
  auto model = models::make_resnet("resnet18", gen);
  const std::vector<float> before = model->bn1->weight.to_vector<float>();
  const std::string message = error_of([&] { models::load_pretrained_backbone(*model, dict, "test.pth"); });
  for (const char* expected : {"test.pth", "missing keys: bn1.running_var, layer1.0.conv1.weight",
                               "unexpected keys: layer5.0.conv1.weight", "conv1.weight: expected float32[64, 3, 7, 7]"})
    EXPECT_NE(message.find(expected), std::string::npos) << "'" << expected << "' not in: " << message;
  EXPECT_EQ(model->bn1->weight.to_vector<float>(), before) << "a failed load changed the model";
}

TEST(Pretrained, RejectsAnIdmlCheckpoint) {
  nn::StateDict dict = imagenet_like_dict();
  dict["embedding.weight"] = zeros({8, 512});
  Generator gen(10);
  auto model = models::make_resnet("resnet18", gen);
  EXPECT_NE(error_of([&] { models::load_pretrained_backbone(*model, dict, "ckpt"); }).find("embedding.weight"),
            std::string::npos);
}

}  // namespace
}  // namespace idml::testing
