// Loading an ImageNet-style state dict into a ResNet trunk: strict on every
// torchvision name except fc.* (ignored and reported), errors that list
// missing / unexpected / mismatched keys by name, and no partial load; the old
// layout without num_batches_tracked; "none"; torchvision files recognised by
// the first 8 hex digits of their SHA-256 and the V2 warning for paper recipes.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "tests/error_of.h"
#include "models/idml_net.h"
#include "models/pretrained.h"
#include "models/sha256.h"
#include "nn/weights/safetensors.h"
#include "tests/models/deterministic_fill.h"
#include "tests/private_directory.h"

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
  const std::string path = idml::testing::private_path("pretrained.safetensors");
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

TEST(Pretrained, OldLayoutWithoutNumBatchesTrackedLoads) {
  // resnet50-19c8e357.pth predates BatchNorm's num_batches_tracked; PyTorch starts it at 0.
  nn::StateDict dict = imagenet_like_dict();
  size_t counters = 0;
  for (auto it = dict.begin(); it != dict.end();) {
    const bool counter = it->first.size() > 20 && it->first.rfind(".num_batches_tracked") == it->first.size() - 20;
    counters += counter;
    it = counter ? dict.erase(it) : std::next(it);
  }
  ASSERT_GT(counters, 0u);
  Generator gen(11);
  auto model = models::make_resnet("resnet18", gen);
  const models::PretrainedReport report = models::load_pretrained_backbone(*model, dict, "old.pth");
  EXPECT_EQ(report.filled_counters, counters);
  EXPECT_EQ(report.loaded, dict.size() - 2);
  EXPECT_EQ(model->state_dict().at("bn1.num_batches_tracked").item(), 0.0);
  EXPECT_EQ(model->state_dict().at("bn1.running_var").to_vector<float>(), dict.at("bn1.running_var").to_vector<float>());
  EXPECT_NE(report.summary().find("num_batches_tracked absent"), std::string::npos) << report.summary();
  // Any other missing key is still an error.
  dict.erase("bn1.running_mean");
  EXPECT_NE(error_of([&] { models::load_pretrained_backbone(*model, dict, "old.pth"); }).find("bn1.running_mean"),
            std::string::npos);
}

TEST(Pretrained, NoneLoadsNothing) {
  Generator gen(12);
  auto model = models::make_resnet("resnet18", gen);
  const std::vector<float> before = model->conv1->weight.to_vector<float>();
  const models::PretrainedReport report = models::load_pretrained_backbone(*model, "none");
  EXPECT_EQ(report.format, "none");
  EXPECT_NE(report.summary().find("random initialisation"), std::string::npos);
  EXPECT_EQ(model->conv1->weight.to_vector<float>(), before);
}

TEST(Pretrained, KnownFilesByTheirSha256Prefix) {
  // torchvision's file names carry the first 8 hex digits of the file's SHA-256; the rest is arbitrary here.
  const std::string rest(56, 'e');
  const auto* v1 = models::lookup_known_weights("0676ba61" + rest);
  const auto* old = models::lookup_known_weights("19c8e357" + rest);
  const auto* v2 = models::lookup_known_weights("11ad3fa6" + rest);
  ASSERT_TRUE(v1 && old && v2);
  EXPECT_STREQ(v1->file_name, "resnet50-0676ba61.pth");
  EXPECT_NE(std::string(v1->name).find("IMAGENET1K_V1"), std::string::npos);
  EXPECT_TRUE(v1->paper_start);
  EXPECT_TRUE(old->paper_start);
  EXPECT_NE(std::string(v2->name).find("IMAGENET1K_V2"), std::string::npos);
  EXPECT_FALSE(v2->paper_start);
  EXPECT_EQ(models::lookup_known_weights("0676ba60" + rest), nullptr);  // one digit off
  EXPECT_EQ(models::lookup_known_weights(rest + "0676ba61"), nullptr);  // the prefix, not anywhere
  EXPECT_EQ(models::lookup_known_weights(""), nullptr);
}

TEST(Pretrained, V2WarnsForPaperRecipesOnly) {
  const auto* v1 = models::lookup_known_weights("0676ba61" + std::string(56, '0'));
  const auto* v2 = models::lookup_known_weights("11ad3fa6" + std::string(56, '0'));
  for (const char* dataset : {"cub", "cars", "SOP"}) {
    const std::string warning = models::paper_recipe_warning(v2, dataset);
    EXPECT_NE(warning.find("IMAGENET1K_V2"), std::string::npos) << dataset;
    EXPECT_NE(warning.find("resnet50-0676ba61.pth"), std::string::npos) << dataset;
    EXPECT_EQ(models::paper_recipe_warning(v1, dataset), "") << dataset;
    EXPECT_EQ(models::paper_recipe_warning(nullptr, dataset), "") << dataset;
  }
  EXPECT_EQ(models::paper_recipe_warning(v2, "fashion-mnist"), "");
  EXPECT_EQ(models::paper_recipe_warning(v2, "folder"), "");
}

TEST(Pretrained, FileReportNamesItsSha256) {
  // A file we write cannot have a chosen SHA-256, so it is "not a known torchvision file";
  // the summary carries its full hash (the CLI test compares it with sha256sum).
  const nn::StateDict dict = imagenet_like_dict();
  const std::string path = idml::testing::private_path("pretrained_hash.safetensors");
  weights::save_safetensors(path, dict);
  Generator gen(13);
  auto model = models::make_resnet("resnet18", gen);
  const models::PretrainedReport report = models::load_pretrained_backbone(*model, path);
  EXPECT_EQ(report.sha256, models::sha256_of_file(path));
  std::remove(path.c_str());
  EXPECT_EQ(report.known, nullptr);
  EXPECT_NE(report.summary().find("not a known torchvision file (SHA-256 " + report.sha256 + ")"), std::string::npos)
      << report.summary();
}

}  // namespace
}  // namespace idml::testing
