// The trainer (the step's pieces are in test_step.cpp): an exact resume (N
// epochs straight = k epochs + resume + N-k epochs, bit for bit), the run
// directory's files (config.json with the engine's settings), and a NaN loss that stops the run with a
// clear message while the last good checkpoint stays intact. Tiny runs on the
// real Fashion-MNIST files (Debian's dataset-fashion-mnist, installed by
// scripts/setup.sh): ResNet-18 at 32 px, 8 images per class.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "engine/cpu/conv_choices.h"
#include "engine/ops.h"
#include "nn/weights/safetensors.h"
#include "train/interrupt.h"
#include "train/run_log.h"
#include "train/trainer.h"
#include "tests/train/tiny_run.h"

namespace idml::train {
namespace {

namespace fs = std::filesystem;

const char* kFashionMnist = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";

using testing::fresh_directory;
using testing::tiny_config;

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string last_checkpoint(const TrainConfig& c) {
  return run_directory(c) + "/" + idml::data::dataset_name(c.dataset) + "_" + c.model + "_last.safetensors";
}

class TrainerRun : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kFashionMnist))
      GTEST_SKIP() << "Fashion-MNIST is not installed (" << kFashionMnist << "): run scripts/setup.sh";
  }
};

TEST_F(TrainerRun, ResumeIsBitExact) {
  const TrainConfig straight = tiny_config(fresh_directory("straight"));
  run_training(straight);

  TrainConfig first = tiny_config(fresh_directory("split"));
  first.epochs = 1;  // stops at the end of warm-up
  run_training(first);
  TrainConfig rest = first;
  rest.epochs = 3;
  rest.resume = last_checkpoint(first);
  run_training(rest);

  const weights::StateDict a = weights::load_safetensors(last_checkpoint(straight));
  const weights::StateDict b = weights::load_safetensors(last_checkpoint(first));
  ASSERT_EQ(a.size(), b.size());
  int compared = 0;
  for (const auto& [name, tensor] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    const Tensor& other = b.at(name);
    ASSERT_EQ(tensor.shape(), other.shape()) << name;
    ASSERT_EQ(tensor.dtype(), other.dtype()) << name;
    ASSERT_EQ(std::memcmp(tensor.raw_data(), other.raw_data(), tensor.nbytes()), 0) << name << " differs";
    ++compared;
  }
  EXPECT_GT(compared, 100);  // model, proxies and optimizer moments
  EXPECT_TRUE(a.count("optimizer.state.0.exp_avg"));

  // The resumed run appended to the same metrics.jsonl: its last epoch line equals the straight run's.
  auto last_epoch_loss = [](const std::string& dir) {
    std::ifstream in(dir + "/metrics.jsonl");
    std::string line, last;
    while (std::getline(in, line))
      if (line.find("\"event\":\"epoch\"") != std::string::npos) last = line;
    return nlohmann::json::parse(last).at("loss").get<double>();
  };
  EXPECT_EQ(last_epoch_loss(run_directory(straight)), last_epoch_loss(run_directory(first)));
}

TEST_F(TrainerRun, WritesTheReferenceFilesAndStopsCleanlyOnANaNLoss) {
  TrainConfig c = tiny_config(fresh_directory("nan"));
  c.epochs = 1;
  run_training(c);
  const std::string dir = run_directory(c);
  for (const char* file : {"config.json", "metrics.jsonl", "fashion-mnist_resnet18_best.safetensors",
                           "fashion-mnist_resnet18_last.safetensors", "fashion-mnist_resnet18_best_results.txt"})
    EXPECT_TRUE(fs::exists(dir + "/" + file)) << file;
  const std::string best = read_bytes(dir + "/fashion-mnist_resnet18_best_results.txt");
  EXPECT_EQ(best.rfind("Best Epoch: 0\nBest Recall@1: ", 0), 0u) << best;
  // config.json records the engine's effective settings beside the recipe
  const nlohmann::json config = nlohmann::json::parse(read_bytes(dir + "/config.json"));
  const nlohmann::json& engine = config.at("engine");
  EXPECT_EQ(engine.at("cpu_conv"), cpu::conv_implementation_name(cpu::conv_implementation()));
  EXPECT_EQ(engine.at("cpu_conv_layout"), cpu::onednn::activation_layout_name(cpu::onednn::activation_layout()));
  EXPECT_EQ(engine.at("cpu_threads"), std::to_string(omp_get_max_threads()));
  EXPECT_TRUE(engine.contains("onednn_isa")) << config.dump();

  // A checkpoint whose proxies hold a NaN: the resumed run must stop at its first step.
  weights::Metadata metadata;
  weights::StateDict dict = weights::load_safetensors(last_checkpoint(c), &metadata);
  dict["proxies"].data<float>()[0] = NAN;
  const std::string poisoned = (fs::path(dir) / "poisoned.safetensors").string();
  weights::save_safetensors(poisoned, dict, metadata);
  const std::string good_before = read_bytes(last_checkpoint(c));

  TrainConfig resumed = c;
  resumed.epochs = 2;
  resumed.resume = poisoned;
  try {
    run_training(resumed);
    FAIL() << "a NaN loss must stop the run";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("loss is NaN"), std::string::npos) << message;
    EXPECT_NE(message.find("last good checkpoint"), std::string::npos) << message;
  }
  EXPECT_EQ(read_bytes(last_checkpoint(c)), good_before) << "the last good checkpoint was modified";
}

}  // namespace
// The tensors of two checkpoints are byte-identical (model, proxies, optimizer).
void expect_same_tensors(const std::string& a_path, const std::string& b_path) {
  const weights::StateDict a = weights::load_safetensors(a_path);
  const weights::StateDict b = weights::load_safetensors(b_path);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, tensor] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    ASSERT_EQ(tensor.shape(), b.at(name).shape()) << name;
    ASSERT_EQ(std::memcmp(tensor.raw_data(), b.at(name).raw_data(), tensor.nbytes()), 0) << name << " differs";
  }
}

std::vector<nlohmann::json> epoch_lines(const std::string& dir) {
  std::ifstream in(dir + "/metrics.jsonl");
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) {
    const nlohmann::json j = nlohmann::json::parse(line);
    if (j.at("event") == "epoch") lines.push_back(j);
  }
  return lines;
}

// Issue 13 item 7: Ctrl-C in the middle of an epoch (here the 9th check: epoch
// 2 of 2, after its 2nd of 5 steps) saves a checkpoint that resumes there, and
// the resumed run ends bit-identical to an uninterrupted one.
TEST_F(TrainerRun, StopMidEpochThenResumeIsBitExact) {
  TrainConfig straight = tiny_config(fresh_directory("stop_straight"));
  straight.epochs = 2;
  run_training(straight);

  TrainConfig interrupted = tiny_config(fresh_directory("stop_split"));
  interrupted.epochs = 2;
  request_stop_at_check(9);
  try {
    run_training(interrupted);
    FAIL() << "not interrupted";
  } catch (const TrainingInterrupted& e) {
    EXPECT_NE(std::string(e.what()).find("epoch 2/2, step 2 of 5"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("idml train --resume " + last_checkpoint(interrupted)), std::string::npos);
  }
  request_stop_at_check(0);
  EXPECT_EQ(epoch_lines(run_directory(interrupted)).size(), 1u);
  TrainConfig rest = interrupted;
  rest.resume = last_checkpoint(interrupted);
  run_training(rest);

  expect_same_tensors(last_checkpoint(straight), last_checkpoint(interrupted));
  const auto a = epoch_lines(run_directory(straight)), b = epoch_lines(run_directory(interrupted));
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(a[1].at("loss").get<double>(), b[1].at("loss").get<double>());
}

// Issue 13 item 6: the checkpoint is written before the epoch's metrics line
// and holds it; when the line was lost (a kill or a full disk between the two
// writes), the resumed run writes it. Stale *.tmp files are removed at start.
TEST_F(TrainerRun, ResumeWritesTheEpochLineALostAppendLeftOutAndRemovesStaleTemporaries) {
  TrainConfig c = tiny_config(fresh_directory("lost_line"));
  c.epochs = 1;
  run_training(c);
  const std::string dir = run_directory(c);
  const auto before = epoch_lines(dir);
  ASSERT_EQ(before.size(), 1u);
  {  // drop the epoch line, as if the process died right after the checkpoint
    std::ifstream in(dir + "/metrics.jsonl");
    std::string kept;
    for (std::string line; std::getline(in, line);)
      if (line.find("\"event\":\"epoch\"") == std::string::npos) kept += line + "\n";
    in.close();
    std::ofstream(dir + "/metrics.jsonl", std::ios::trunc) << kept;
  }
  std::ofstream(dir + "/fashion-mnist_resnet18_last.safetensors.tmp") << "half a checkpoint";
  ASSERT_TRUE(epoch_lines(dir).empty());
  TrainConfig resumed = c;
  resumed.resume = last_checkpoint(c);
  run_training(resumed);
  const auto after = epoch_lines(dir);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0], before[0]);
  EXPECT_FALSE(fs::exists(dir + "/fashion-mnist_resnet18_last.safetensors.tmp"));
}

// Issue 13 item 6: a failed append says why (here ENOSPC from /dev/full).
TEST(RunLog, FailedWriteSaysWhy) {
  const fs::path dir = fresh_directory("full_disk");
  fs::create_symlink("/dev/full", dir / "metrics.jsonl");
  RunLog log(dir.string());
  try {
    log.append({{"event", "epoch"}, {"epoch", 0}});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("metrics.jsonl failed: No space left on device"), std::string::npos)
        << e.what();
  }
}

}  // namespace idml::train
