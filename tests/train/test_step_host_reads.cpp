// Reads of device memory per training step (engine/host_reads.h), counted on
// the CPU backend, where the engine counts the reads a GPU run of the same code
// would wait for: the IDML step (BN frozen and in training mode, and with each
// of the six losses), the classification step (no mixing, Mixup, CutMix) and
// the data-parallel step each read once, the loss for the log, after the
// update is queued. Before issue 24 the IDML step read 9 times (index checks,
// one_hot's checks, the Proxy-Anchor present-class count three times, the loss
// before backward).
#include <gtest/gtest.h>

#include <cstdio>

#include "data/loader.h"
#include "data/transforms.h"
#include "engine/distributed/communicator.h"
#include "engine/host_reads.h"
#include "engine/ops.h"
#include "models/classifier_net.h"
#include "nn/adam.h"
#include "nn/sgd.h"
#include "train/classify/classify_step.h"
#include "train/config_enums.h"
#include "train/data_parallel.h"
#include "train/losses/criterion.h"
#include "train/losses/proxy_anchor.h"
#include "train/mixup_step.h"
#include "train/parameter_groups.h"

namespace idml::train {
namespace {

constexpr uint64_t kReadsPerStep = 1;  // the loss for the log

// Small RGB images of three classes, in memory.
class PatternDataset final : public data::Dataset {
 public:
  explicit PatternDataset(size_t size) : size_(size) {}
  size_t size() const override { return size_; }
  int64_t label(size_t index) const override { return static_cast<int64_t>(index % 3); }
  data::Image load(size_t index) const override {
    data::Image image(40, 40);
    for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>((i * 7 + index * 31) % 251);
    return image;
  }
  std::string source(size_t index) const override { return "pattern#" + std::to_string(index); }

 private:
  size_t size_;
};

class IdmlStepReads : public ::testing::TestWithParam<bool> {};

TEST_P(IdmlStepReads, OneReadPerStep) {
  const bool bn_frozen = GetParam();
  Generator gen(1);
  models::IDMLNet net({"resnet18", 8, true, bn_frozen}, gen);
  ProxyAnchor loss(3, 8, {}, gen);
  nn::AdamW optimizer(idml_parameter_groups(net, loss, 1e-3, 1e-2));
  net.train();
  const Tensor images = randn({4, 3, 32, 32}, gen);
  const Tensor labels = from_vector<int64_t>({0, 1, 2, 0}, {4});
  for (int step = 0; step < 2; ++step) {
    const HostReadScope reads;
    mixup_train_step(net, loss, optimizer, images, labels, gen, {});
    std::printf("IDML step (BN %s), step %d: %llu host read(s)\n", bn_frozen ? "frozen" : "training", step,
                static_cast<unsigned long long>(reads.reads()));
    EXPECT_EQ(reads.reads(), kReadsPerStep);
  }
}

INSTANTIATE_TEST_SUITE_P(BatchNorm, IdmlStepReads, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Frozen" : "Training"; });

class EveryLossReads : public ::testing::TestWithParam<LossKind> {};

TEST_P(EveryLossReads, OneReadPerStep) {
  Generator gen(6);
  models::IDMLNet net({"resnet18", 8, true, true}, gen);
  const std::unique_ptr<Criterion> loss = make_criterion(GetParam(), 3, 8, {}, gen);
  nn::AdamW optimizer(idml_parameter_groups(net, *loss, 1e-3, 1e-2));
  net.train();
  const Tensor images = randn({6, 3, 32, 32}, gen);
  const Tensor labels = from_vector<int64_t>({0, 0, 1, 1, 2, 2}, {6});  // two per class: every loss's need
  const HostReadScope reads;
  mixup_train_step(net, *loss, optimizer, images, labels, gen, {});
  std::printf("IDML step (--loss %s): %llu host read(s)\n", choice_name(GetParam()).c_str(),
              static_cast<unsigned long long>(reads.reads()));
  EXPECT_EQ(reads.reads(), kReadsPerStep);
}

INSTANTIATE_TEST_SUITE_P(Losses, EveryLossReads,
                         ::testing::Values(LossKind::ProxyAnchor, LossKind::ProxyNca, LossKind::MultiSimilarity,
                                           LossKind::Contrastive, LossKind::Triplet, LossKind::NPair),
                         [](const auto& info) { return choice_name(info.param); });

class ClassifyStepReads : public ::testing::TestWithParam<classify::MixKind> {};

TEST_P(ClassifyStepReads, OneReadPerStep) {
  Generator gen(2);
  models::ClassifierConfig config;
  config.model = "pyramidnet";
  config.num_classes = 3;
  config.depth = 11;
  config.alpha = 24;
  const std::unique_ptr<models::ClassifierNet> net = models::make_classifier(config, gen);
  nn::SGDOptions sgd;
  sgd.momentum = 0.9;
  sgd.nesterov = true;
  nn::SGD optimizer({nn::ParamGroup{"all", net->module().parameters(), 0.1, 1e-4}}, sgd);
  net->module().train();
  classify::ClassifyStepOptions options;
  options.mix.kind = GetParam();
  options.mix.cutmix_prob = 1.0;  // CutMix every step
  const Tensor images = randn({4, 3, 32, 32}, gen);
  const Tensor labels = from_vector<int64_t>({0, 1, 2, 0}, {4});
  const HostReadScope reads;
  classify::classify_train_step(*net, optimizer, images, labels, gen, options);
  std::printf("classification step (--mix %s): %llu host read(s)\n", classify::mix_name(GetParam()),
              static_cast<unsigned long long>(reads.reads()));
  EXPECT_EQ(reads.reads(), kReadsPerStep);
}

INSTANTIATE_TEST_SUITE_P(Mixing, ClassifyStepReads,
                         ::testing::Values(classify::MixKind::None, classify::MixKind::Mixup, classify::MixKind::CutMix),
                         [](const auto& info) { return std::string(classify::mix_name(info.param)); });

// The data-parallel step on a communicator of one rank: the step's own reads
// (its collectives move CPU tensors in place here, NCCL's on a GPU read nothing).
TEST(DataParallelStepReads, OneReadPerStep) {
  Generator gen(3);
  models::IDMLNet net({"resnet18", 8, true, true}, gen);
  ProxyAnchor loss(3, 8, {}, gen);
  nn::AdamW optimizer(idml_parameter_groups(net, loss, 1e-3, 1e-2));
  net.train();
  const std::unique_ptr<distributed::Communicator> comm = distributed::single_process();
  DataParallel parallel(*comm, 6);
  const PatternDataset dataset(12);
  data::TransformOptions transform_options;
  transform_options.image_size = 32;
  transform_options.resize_size = 32;
  const data::TrainTransform transform(transform_options);
  data::LoaderOptions loader_options;
  loader_options.threads = 0;
  Generator step_gen(4);
  const auto loader = parallel.epoch_loader(dataset, transform, {{0, 1, 2, 3, 4, 5}, {6, 7, 8, 9, 10, 11}}, step_gen,
                                            loader_options);
  data::Batch batch;
  for (int64_t step = 0; loader->next(batch); ++step) {
    const HostReadScope reads;
    parallel.step(net, loss, optimizer, batch, step, Device::cpu(), {});
    std::printf("data-parallel step %lld: %llu host read(s)\n", static_cast<long long>(step),
                static_cast<unsigned long long>(reads.reads()));
    EXPECT_EQ(reads.reads(), kReadsPerStep);
  }
}

}  // namespace
}  // namespace idml::train
