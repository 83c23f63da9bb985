// validate() on the starting weights (SPEC §2): the paper's datasets need
// --pretrained FILE or an explicit --pretrained none, with a message saying
// how to proceed; a resumed run does not; a missing file is named; the k-means
// flags must be positive and survive the config's JSON round trip;
// --clustering auto is off only for SOP on a CPU, and says what it would cost.
#include <gtest/gtest.h>

#include <string>

#include "engine/error.h"
#include "train/evaluation.h"
#include "train/train_config.h"

namespace {

using idml::train::TrainConfig;

std::string error_of(const TrainConfig& config) {
  try {
    idml::train::validate(config);
  } catch (const idml::Error& e) {
    return e.what();
  }
  return "";
}

TEST(TrainConfig, PaperDatasetsRequirePretrained) {
  for (const char* dataset : {"cub", "cars", "SOP"}) {
    TrainConfig config;
    config.dataset = dataset;
    const std::string message = error_of(config);
    EXPECT_NE(message.find("--pretrained is required for --dataset " + std::string(dataset)), std::string::npos)
        << message;
    EXPECT_NE(message.find("resnet50-0676ba61.pth"), std::string::npos) << message;  // what to pass
    EXPECT_NE(message.find("--pretrained none"), std::string::npos) << message;      // or how to opt out
    config.pretrained = "none";
    EXPECT_EQ(error_of(config), "") << dataset;
    config.pretrained = "";
    config.resume = "run_last.safetensors";  // its weights come from the checkpoint
    EXPECT_EQ(error_of(config), "") << dataset;
  }
  TrainConfig other;
  other.dataset = "fashion-mnist";
  EXPECT_EQ(error_of(other), "");  // from scratch is the demo's recipe
}

TEST(TrainConfig, MissingPretrainedFileIsNamed) {
  TrainConfig config;
  config.pretrained = "/nonexistent/resnet50.pth";
  const std::string message = error_of(config);
  EXPECT_NE(message.find("--pretrained /nonexistent/resnet50.pth: no such file"), std::string::npos) << message;
  config.pretrained = std::string(IDML_TRAIN_GOLDEN_DIR) + "/npy_int64.npy";  // exists: not checked further here
  EXPECT_EQ(error_of(config), "");
}

TEST(TrainConfig, KMeansFlags) {
  TrainConfig config;
  config.dataset = "fashion-mnist";
  config.kmeans_restarts = 0;
  EXPECT_NE(error_of(config).find("--kmeans-restarts"), std::string::npos);
  config.kmeans_restarts = 3;
  config.kmeans_max_iterations = -1;
  EXPECT_NE(error_of(config).find("--kmeans-max-iterations"), std::string::npos);
  config.kmeans_max_iterations = 40;
  const TrainConfig back = idml::train::config_from_json(idml::train::to_json(config));
  EXPECT_EQ(back.kmeans_restarts, 3);
  EXPECT_EQ(back.kmeans_max_iterations, 40);
  // A configuration saved before these flags existed reads with sklearn's defaults.
  nlohmann::json old = idml::train::to_json(TrainConfig{});
  old.erase("kmeans_restarts");
  old.erase("kmeans_max_iterations");
  EXPECT_EQ(idml::train::config_from_json(old).kmeans_restarts, 10);
  EXPECT_EQ(idml::train::config_from_json(old).kmeans_max_iterations, 300);
}

TEST(TrainConfig, ClusteringAutoIsOffOnlyForSopOnACpu) {
  using idml::Device;
  using idml::train::clustering_enabled;
  EXPECT_FALSE(clustering_enabled("auto", "SOP", Device::cpu()));
  EXPECT_TRUE(clustering_enabled("auto", "SOP", Device::cuda(0)));  // no GPU needed to decide
  EXPECT_TRUE(clustering_enabled("auto", "cub", Device::cpu()));
  EXPECT_TRUE(clustering_enabled("on", "SOP", Device::cpu()));
  EXPECT_FALSE(clustering_enabled("off", "cub", Device::cuda(0)));
  EXPECT_THROW(clustering_enabled("maybe", "cub", Device::cpu()), idml::Error);
  const std::string message = idml::train::clustering_skipped_message("SOP");
  for (const char* part : {"12 min of CPU per restart", "--clustering on", "--device cuda", "estimated"})
    EXPECT_NE(message.find(part), std::string::npos) << part << " not in: " << message;
  // evaluation_options carries the config's k-means flags and the run's device to the metrics.
  TrainConfig config;
  config.dataset = "SOP";
  config.kmeans_restarts = 2;
  config.kmeans_max_iterations = 50;
  const auto options = idml::train::evaluation_options(config, idml::Device::cpu());
  EXPECT_EQ(options.recall_ks, (std::vector<int64_t>{1, 10, 100, 1000}));
  EXPECT_EQ(options.kmeans_restarts, 2);
  EXPECT_EQ(options.kmeans_max_iterations, 50);
  EXPECT_FALSE(options.compute_clustering);
  EXPECT_TRUE(options.device.is_cpu());
}

}  // namespace
