// validate() on the starting weights (docs/METHOD.md#2-model): the paper's datasets need
// --pretrained FILE or an explicit --pretrained none, with a message saying
// how to proceed; a resumed run does not; a missing file is named; the k-means
// flags must be positive and survive the config's JSON round trip;
// --clustering auto is off only for SOP on a CPU, and says what it would cost.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>

#include "engine/error.h"
#include "train/evaluation.h"
#include "train/train_config.h"

namespace {

using idml::data::DatasetId;
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
  for (DatasetId id : {DatasetId::Cub, DatasetId::Cars, DatasetId::Sop}) {
    const std::string dataset = idml::data::dataset_name(id);
    TrainConfig config;
    config.dataset = id;
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
  other.dataset = DatasetId::FashionMnist;
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
  config.dataset = DatasetId::FashionMnist;
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
  using idml::train::Clustering;
  using idml::train::clustering_enabled;
  EXPECT_FALSE(clustering_enabled(Clustering::Auto, DatasetId::Sop, Device::cpu()));
  EXPECT_TRUE(clustering_enabled(Clustering::Auto, DatasetId::Sop, Device::cuda(0)));  // no GPU needed to decide
  EXPECT_TRUE(clustering_enabled(Clustering::Auto, DatasetId::Cub, Device::cpu()));
  EXPECT_TRUE(clustering_enabled(Clustering::On, DatasetId::Sop, Device::cpu()));
  EXPECT_FALSE(clustering_enabled(Clustering::Off, DatasetId::Cub, Device::cuda(0)));
  EXPECT_THROW(idml::train::parse_choice<Clustering>("maybe", "--clustering"), idml::Error);
  const std::string message = idml::train::clustering_skipped_message("SOP");
  for (const char* part : {"12 min of CPU per restart", "--clustering on", "--device cuda", "estimated"})
    EXPECT_NE(message.find(part), std::string::npos) << part << " not in: " << message;
  // evaluation_options carries the config's k-means flags and the run's device to the metrics.
  TrainConfig config;
  config.dataset = DatasetId::Sop;
  config.kmeans_restarts = 2;
  config.kmeans_max_iterations = 50;
  const auto options = idml::train::evaluation_options(config, idml::Device::cpu());
  EXPECT_EQ(options.recall_ks, (std::vector<int64_t>{1, 10, 100, 1000}));
  EXPECT_EQ(options.kmeans_restarts, 2);
  EXPECT_EQ(options.kmeans_max_iterations, 50);
  EXPECT_FALSE(options.compute_clustering);
  EXPECT_TRUE(options.device.is_cpu());
}

// A config.json that idml wrote before the field list and the enums (main at
// 9d2adb2, the demo's recipe with --per-class-cap 100): it loads with every
// value, and writing it back gives the same JSON, key for key.
TEST(TrainConfig, ConfigWrittenBeforeTheFieldListLoadsAndRoundTrips) {
  std::ifstream in(std::string(IDML_TRAIN_GOLDEN_DIR) + "/train_config_9d2adb2.json");
  ASSERT_TRUE(in) << "golden file missing";
  const nlohmann::json old = nlohmann::json::parse(in);
  const TrainConfig c = idml::train::config_from_json(old);
  EXPECT_EQ(c.dataset, DatasetId::FashionMnist);
  EXPECT_EQ(c.model, "resnet18");
  EXPECT_EQ(c.embedding_size, 128);
  EXPECT_EQ(c.per_class_cap, 100);
  EXPECT_EQ(c.image_size, 64);
  EXPECT_EQ(c.batch_size, 64);
  EXPECT_DOUBLE_EQ(c.lr, 1e-3);
  EXPECT_EQ(c.warm, 0);
  EXPECT_FALSE(c.bn_freeze);
  EXPECT_TRUE(c.eval_before_training);
  EXPECT_EQ(c.metric, idml::train::Metric::Introspective);
  EXPECT_EQ(c.optimizer, idml::train::Optimizer::AdamW);
  EXPECT_EQ(c.clustering, idml::train::Clustering::Auto);
  EXPECT_EQ(c.device, idml::DeviceKind::CPU);
  EXPECT_EQ(c.threads, 1);
  EXPECT_EQ(c.log_dir, "demo-logs");
  EXPECT_EQ(c.loss, idml::train::LossKind::ProxyAnchor);
  EXPECT_DOUBLE_EQ(c.proxy_lr_scale, 100.0);  // a later field: the default
  nlohmann::json now = old;
  now["proxy_lr_scale"] = 100.0;
  EXPECT_EQ(idml::train::to_json(c), now);
  EXPECT_EQ(idml::train::to_json(c).dump(), now.dump());  // same keys, same number types
  EXPECT_EQ(idml::train::run_directory(c),
            "demo-logs/logs_fashion-mnist/resnet18_Proxy_Anchor_embedding128_alpha32.0_mrg0.1_adamw_lr0.001_batch64");
}

// Files from before --clustering, --kmeans-*, --report and the command line
// was stored lack those keys: they read as the defaults. Any other key missing,
// or an enum spelled wrongly, is an error naming the key.
TEST(TrainConfig, OlderFilesAndBadEnumNames) {
  nlohmann::json older = idml::train::to_json(TrainConfig{});
  for (const char* key : {"clustering", "kmeans_restarts", "kmeans_max_iterations", "report", "command_line"})
    older.erase(key);
  const TrainConfig c = idml::train::config_from_json(older);
  EXPECT_EQ(c.clustering, idml::train::Clustering::Auto);
  EXPECT_TRUE(c.report);
  EXPECT_EQ(c.command_line, "");
  nlohmann::json missing = idml::train::to_json(TrainConfig{});
  missing.erase("mrg");
  EXPECT_THROW(idml::train::config_from_json(missing), idml::Error);
  nlohmann::json wrong = idml::train::to_json(TrainConfig{});
  wrong["optimizer"] = "lion";
  try {
    idml::train::config_from_json(wrong);
    ADD_FAILURE() << "an unknown optimizer loaded";
  } catch (const idml::Error& e) {
    EXPECT_NE(std::string(e.what()).find("optimizer: expected adamw, adam, sgd or rmsprop, got 'lion'"),
              std::string::npos)
        << e.what();
  }
  TrainConfig typed;
  typed.dataset = DatasetId::Sop;
  typed.optimizer = idml::train::Optimizer::RmsProp;
  typed.metric = idml::train::Metric::Cosine;
  typed.clustering = idml::train::Clustering::Off;
  typed.device = idml::DeviceKind::CUDA;
  const nlohmann::json j = idml::train::to_json(typed);
  EXPECT_EQ(j.at("dataset"), "SOP");
  EXPECT_EQ(j.at("optimizer"), "rmsprop");
  EXPECT_EQ(j.at("metric"), "cosine");
  EXPECT_EQ(j.at("clustering"), "off");
  EXPECT_EQ(j.at("device"), "cuda");
  EXPECT_EQ(idml::train::to_json(idml::train::config_from_json(j)), j);
}

TEST(TrainConfig, RunDirectoryNamesTheLoss) {
  TrainConfig c;
  c.dataset = DatasetId::FashionMnist;
  c.log_dir = "logs";
  c.loss = idml::train::LossKind::ProxyNca;
  EXPECT_EQ(idml::train::run_directory(c),
            "logs/logs_fashion-mnist/resnet50_Proxy_NCA_embedding512_alpha32.0_mrg0.1_adamw_lr0.0001_batch150");
  c.loss = idml::train::parse_choice<idml::train::LossKind>("MS", "--loss");
  EXPECT_NE(idml::train::run_directory(c).find("/resnet50_MS_embedding512_"), std::string::npos);
}

// The flags a resumed run takes from its command line are exactly these (the
// list train_command.cpp held before the field list); every field is in the JSON.
TEST(TrainConfig, FieldListResumableFlagsAndJsonKeys) {
  std::set<std::string> resumable, keys;
  TrainConfig c;
  idml::train::for_each_config_field(
      [&](const idml::train::ConfigFieldInfo& field, auto&) {
        keys.insert(field.json_key);
        if (field.traits & idml::train::ConfigField::Resumable) resumable.insert(idml::train::primary_flag(field));
      },
      c);
  EXPECT_EQ(resumable, (std::set<std::string>{"--epochs", "--workers", "--threads", "--device", "--gpu-id",
                                              "--data-root", "--eval-every", "--clustering", "--kmeans-restarts",
                                              "--kmeans-max-iterations", "--log-dir", "--report"}));
  EXPECT_EQ(keys.size(), 41u);
  EXPECT_EQ(idml::train::to_json(c).size(), keys.size());
}

TEST(TrainConfig, ChoiceNamesAndErrors) {
  using idml::train::Optimizer;
  EXPECT_EQ(idml::train::choice_list<Optimizer>(), "adamw, adam, sgd or rmsprop");
  EXPECT_EQ(idml::train::choice_list<DatasetId>(), "cub, cars, SOP, Inshop, folder or fashion-mnist");
  EXPECT_EQ(idml::train::parse_choice<Optimizer>("sgd", "--optimizer"), Optimizer::Sgd);
  EXPECT_EQ(idml::train::choice_name(DatasetId::FashionMnist), "fashion-mnist");
  try {
    idml::train::parse_choice<idml::DeviceKind>("tpu", "--device");
    ADD_FAILURE() << "tpu parsed";
  } catch (const idml::Error& e) {
    EXPECT_EQ(std::string(e.what()), "--device: expected cpu or cuda, got 'tpu'");
  }
}

}  // namespace
