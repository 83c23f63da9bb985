// The classification run (docs/METHOD.md#10-classification): the two LR schedules, top-1/top-5 error,
// the configuration's checks and JSON, and exact resume (a run split at an
// epoch boundary ends bit-identical to the straight run) with the best
// checkpoint written, on the small CIFAR files of tests/data/golden/cifar.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/ops.h"
#include "nn/weights/safetensors.h"
#include "train/classify/classification_run.h"
#include "tests/private_directory.h"

namespace idml::train::classify {
namespace {

TEST(LearningRate, CifarScheduleDecaysAtHalfAndThreeQuarters) {
  EXPECT_DOUBLE_EQ(learning_rate("cifar", 0.25, 0, 300), 0.25);
  EXPECT_DOUBLE_EQ(learning_rate("cifar", 0.25, 149, 300), 0.25);
  EXPECT_NEAR(learning_rate("cifar", 0.25, 150, 300), 0.025, 1e-15);
  EXPECT_NEAR(learning_rate("cifar", 0.25, 224, 300), 0.025, 1e-15);
  EXPECT_NEAR(learning_rate("cifar", 0.25, 225, 300), 0.0025, 1e-15);
  EXPECT_NEAR(learning_rate("cifar", 0.25, 299, 300), 0.0025, 1e-15);
}

TEST(LearningRate, ImageNetScheduleDecaysEvery30OrEvery75Of300) {
  EXPECT_DOUBLE_EQ(learning_rate("imagenet", 0.1, 29, 90), 0.1);
  EXPECT_NEAR(learning_rate("imagenet", 0.1, 30, 90), 0.01, 1e-15);
  EXPECT_NEAR(learning_rate("imagenet", 0.1, 89, 90), 0.001, 1e-15);
  EXPECT_DOUBLE_EQ(learning_rate("imagenet", 0.1, 74, 300), 0.1);
  EXPECT_NEAR(learning_rate("imagenet", 0.1, 75, 300), 0.01, 1e-15);
  EXPECT_NEAR(learning_rate("imagenet", 0.1, 299, 300), 0.0001, 1e-15);
}

TEST(TopKErrors, CountsLabelsOutsideTheTopOneAndTopFive) {
  // 3 rows of 6 classes: label ranked 1st, 2nd, 6th.
  const Tensor z = from_vector<float>({9, 1, 2, 3, 4, 5,  //
                                       1, 9, 2, 3, 4, 5,  //
                                       0, 9, 8, 7, 6, 5},
                                      {3, 6});
  const TopKErrors e = top_k_errors(z, from_vector<int64_t>({0, 5, 0}, {3}));
  EXPECT_DOUBLE_EQ(e.top1, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(e.top5, 1.0 / 3.0);
  EXPECT_EQ(e.images, 3);
}

TEST(ClassifyConfig, BadValuesNameTheFlagAndJsonRoundTrips) {
  ClassifyConfig c;
  c.mix = "cutout";
  EXPECT_THROW(validate(c), Error);
  c = ClassifyConfig{};
  c.cutmix_prob = 1.5;
  try {
    validate(c);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--cutmix-prob"), std::string::npos);
  }
  c = ClassifyConfig{};
  c.dataset = "cifar100";
  c.ism = false;
  c.beta = 0.5;
  const ClassifyConfig back = classify_config_from_json(to_json(c));
  EXPECT_EQ(back.dataset, "cifar100");
  EXPECT_FALSE(back.ism);
  EXPECT_EQ(back.beta, 0.5);
  EXPECT_THROW(classify_config_from_json(nlohmann::json{{"ism", "yes"}}), Error);
}

class ClassificationRunTest : public ::testing::Test {
 protected:
  static ClassifyConfig tiny(const std::string& log_dir) {
    ClassifyConfig c;
    c.dataset = "cifar10";
    c.data_root = std::string(IDML_DATA_GOLDEN_DIR) + "/cifar";
    c.model = "pyramidnet";
    c.depth = 11;
    c.alpha = 8;
    c.batch_size = 5;
    c.workers = 2;
    c.lr = 0.05;
    c.lr_schedule = "imagenet";  // a function of the epoch alone, so a 1-epoch run is a prefix of a 3-epoch one
    c.mix = "cutmix";
    c.cutmix_prob = 0.5;
    c.epochs = 3;
    c.threads = 1;
    c.log_dir = log_dir;
    return c;
  }
  static std::string fresh(const std::string& name) {
    const std::string dir = idml::testing::private_path("classify_" + name);
    std::filesystem::remove_all(dir);
    return dir;
  }
  static std::string last(const ClassifyConfig& c) {
    return run_directory(c) + "/" + c.dataset + "_" + c.model + "_last.safetensors";
  }
};

TEST_F(ClassificationRunTest, ResumeIsBitExactAndKeepsTheBest) {
  const ClassifyConfig straight = tiny(fresh("straight"));
  const ClassifySummary summary = ClassificationRun(straight).run();
  EXPECT_GE(summary.best_epoch, 0);
  EXPECT_TRUE(std::filesystem::exists(run_directory(straight) + "/cifar10_pyramidnet_best.safetensors"));

  ClassifyConfig first = tiny(fresh("split"));
  first.epochs = 1;
  ClassificationRun(first).run();
  ClassifyConfig rest = first;
  rest.epochs = 3;
  rest.resume = last(first);
  ClassificationRun(rest).run();

  const weights::StateDict a = weights::load_safetensors(last(straight));
  const weights::StateDict b = weights::load_safetensors(last(first));
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, tensor] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    ASSERT_EQ(tensor.shape(), b.at(name).shape()) << name;
    ASSERT_EQ(std::memcmp(tensor.raw_data(), b.at(name).raw_data(), tensor.nbytes()), 0) << name << " differs";
  }
  EXPECT_TRUE(a.count("optimizer.state.0.momentum_buffer"));
  EXPECT_TRUE(a.count("uncertainty.weight"));
  // A retrieval run's checkpoint is refused with a message naming the task.
  EXPECT_THROW(read_classifier_config(std::string(IDML_DATA_GOLDEN_DIR) + "/cifar/bad/forbidden_global"), Error);
}

}  // namespace
}  // namespace idml::train::classify
