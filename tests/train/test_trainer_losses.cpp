// `idml train --loss X` for each of the six losses (train/losses/README.md) on
// the tiny Fashion-MNIST run: the run directory names the loss, the
// checkpoints hold `proxies` for the proxy losses only, the best checkpoint
// evaluates to the run's own R@1 (what `idml eval` does), the report has
// a proxy-margin section only where there are proxies, and a checkpoint
// without proxies resumes. Proxy-NCA's proxies
// stay where they were drawn under --proxy-lr-scale 0 (the reference) and
// move under the default.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "data/dataset.h"
#include "data/transforms.h"
#include "models/trained_net.h"
#include "nn/weights/safetensors.h"
#include "train/config_enums.h"
#include "train/evaluation.h"
#include "train/losses/proxy_nca.h"
#include "train/trainer.h"
#include "tests/train/tiny_run.h"

namespace idml::train {
namespace {

namespace fs = std::filesystem;

using testing::fresh_directory;

const char* kFashionMnist = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";

class TrainerLosses : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kFashionMnist))
      GTEST_SKIP() << "Fashion-MNIST is not installed (" << kFashionMnist << "): run scripts/setup.sh";
  }
};

// One epoch of the tiny run with `loss`; pair losses get the balanced batches they need.
TrainConfig one_epoch(LossKind loss, const std::string& name) {
  TrainConfig c = testing::tiny_config(fresh_directory(name));
  c.loss = loss;
  c.epochs = 1;
  c.warm = 0;
  const ImagesPerClassNeed need = images_per_class_need(loss);
  const bool exactly = need.count == ImagesPerClassNeed::Count::exactly;
  c.images_per_class = exactly ? need.images_per_class : need.images_per_class > 0 ? 4 : 0;
  return c;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// R@1 of a checkpoint on the run's eval split, as `idml eval` computes it.
double recall_at_1_of(const std::string& checkpoint, const TrainConfig& c) {
  const std::unique_ptr<models::IDMLNet> net = models::load_trained_net(checkpoint, Device::cpu());
  data::DatasetOptions options{"fashion-mnist", "", data::Split::Eval, 0, c.per_class_cap};
  const std::unique_ptr<data::Dataset> eval = data::open_dataset(options);
  data::TransformOptions transform;
  transform.image_size = c.image_size;
  transform.resize_size = c.resize_size;
  const Embeddings e = compute_embeddings(*net, *eval, data::EvalTransform(transform), {c.batch_size, c.workers});
  metrics::EvaluationOptions r1_only;
  r1_only.recall_ks = {1};
  r1_only.seed = c.seed;
  r1_only.compute_clustering = false;
  return evaluate_embeddings(e, r1_only).get("R@1");
}

TEST_F(TrainerLosses, EveryLossTrainsSavesAndEvaluates) {
  for (const auto& [kind, name] : choices<LossKind>()) {
    SCOPED_TRACE(name);
    const TrainConfig c = one_epoch(kind, "loss_" + name);
    const TrainSummary summary = run_training(c);
    EXPECT_NE(summary.run_directory.find("/resnet18_" + name + "_embedding16_"), std::string::npos)
        << summary.run_directory;
    const std::string best = summary.run_directory + "/fashion-mnist_resnet18_best.safetensors";
    const std::string last = summary.run_directory + "/fashion-mnist_resnet18_last.safetensors";
    for (const std::string& file : {best, last})
      EXPECT_EQ(weights::load_safetensors(file).count("proxies"), loss_has_proxies(kind) ? 1u : 0u) << file;
    EXPECT_EQ(recall_at_1_of(best, c), summary.best_recall_at_1);
    const std::string report = read_text(summary.run_directory + "/report.html");
    EXPECT_NE(report.find("<h2 id=\"gallery\""), std::string::npos);
    EXPECT_EQ(report.find("id=\"margins\"") != std::string::npos, loss_has_proxies(kind));
    if (kind == LossKind::MultiSimilarity) {  // a checkpoint without proxies resumes (one loss: CI time)
      TrainConfig more = c;
      more.epochs = 2;
      more.resume = last;
      EXPECT_NO_THROW(run_training(more));
    }
  }
}

// The proxies the trainer draws: the network first, then the proxies, from one generator.
Tensor initial_proxies(const TrainConfig& c, int64_t classes) {
  Generator gen(c.seed);
  models::IDMLNet net({c.model, c.embedding_size, c.l2_norm, c.bn_freeze}, gen);
  return ProxyNca(classes, c.embedding_size, {}, gen).proxies;
}

TEST_F(TrainerLosses, ProxyNcaProxiesAreFixedUnderScaleZeroAndTrainByDefault) {
  TrainConfig fixed = one_epoch(LossKind::ProxyNca, "nca_fixed");
  fixed.proxy_lr_scale = 0;
  TrainConfig trained = one_epoch(LossKind::ProxyNca, "nca_trained");
  const Tensor initial = initial_proxies(fixed, 5);
  const auto proxies_after = [](const TrainConfig& c) {
    return weights::load_safetensors(run_training(c).run_directory + "/fashion-mnist_resnet18_last.safetensors")
        .at("proxies")
        .to_vector<float>();
  };
  EXPECT_EQ(proxies_after(fixed), initial.to_vector<float>()) << "--proxy-lr-scale 0: the proxies never move";
  EXPECT_NE(proxies_after(trained), initial.to_vector<float>()) << "by default they train";
}

TEST_F(TrainerLosses, ACheckpointOfAnotherLossDoesNotResume) {
  const TrainConfig pair = one_epoch(LossKind::Contrastive, "resume_other_loss");
  const std::string last = run_training(pair).run_directory + "/fashion-mnist_resnet18_last.safetensors";
  TrainConfig proxy = one_epoch(LossKind::ProxyAnchor, "resume_other_loss_proxy");
  proxy.epochs = 2;
  proxy.resume = last;
  try {
    run_training(proxy);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("proxies none do not match this run's [5, 16] (--loss Proxy_Anchor)"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace idml::train
