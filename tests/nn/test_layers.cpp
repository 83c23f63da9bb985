// Layers: Conv2d/Linear shapes and bias switch, BatchNorm2d training
// statistics (running mean/var with momentum 0.1 and unbiased variance,
// num_batches_tracked), eval mode, freezing; pooling and Sequential.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/host_reads.h"
#include "engine/ops.h"
#include "nn/batch_norm.h"
#include "nn/conv2d.h"
#include "nn/linear.h"
#include "nn/pooling.h"
#include "nn/sequential.h"

namespace idml::nn {
namespace {

TEST(Conv2d, ShapesAndBias) {
  Generator gen(1);
  Conv2d with_bias(Conv2dConfig{3, 8, 3, 2, 1}, gen);
  Conv2d without(Conv2dConfig{3, 8, 1, 1, 0, 1, false}, gen);
  EXPECT_EQ(with_bias.state_dict_names(), (std::vector<std::string>{"weight", "bias"}));
  EXPECT_EQ(without.state_dict_names(), (std::vector<std::string>{"weight"}));
  const Tensor x = randn({2, 3, 9, 9}, gen);
  EXPECT_EQ(with_bias.forward(x).shape(), (Shape{2, 8, 5, 5}));
  EXPECT_EQ(without.forward(x).shape(), (Shape{2, 8, 9, 9}));
  EXPECT_THROW(Conv2d(Conv2dConfig{0, 8, 3}, gen), Error);
}

TEST(Linear, ComputesXWtPlusB) {
  Generator gen(2);
  Linear layer(2, 1, gen);
  layer.weight.copy_(from_vector<float>({2, -1}, {1, 2}));
  layer.bias.copy_(from_vector<float>({0.5}, {1}));
  EXPECT_EQ(layer.forward(from_vector<float>({1, 3, 4, 2}, {2, 2})).to_vector<float>(),
            (std::vector<float>{-0.5, 6.5}));
}

TEST(BatchNorm2d, TrainingUpdatesRunningStatisticsLikeTorch) {
  BatchNorm2d bn(1);
  // one channel, values 1, 2, 3, 6: mean 3, biased var 3.5, unbiased 14/3
  const Tensor x = from_vector<float>({1, 2, 3, 6}, {2, 1, 1, 2});
  const std::vector<float> y = bn.forward(x).to_vector<float>();
  const double invstd = 1.0 / std::sqrt(3.5 + 1e-5);
  EXPECT_NEAR(y[0], (1 - 3) * invstd, 1e-5);
  EXPECT_NEAR(y[3], (6 - 3) * invstd, 1e-5);
  EXPECT_NEAR(bn.running_mean.item(), 0.1 * 3, 1e-6);
  EXPECT_NEAR(bn.running_var.item(), 0.9 + 0.1 * 14.0 / 3.0, 1e-6);
  EXPECT_EQ(bn.state_dict().at("num_batches_tracked").item(), 1.0);
  bn.forward(x);
  EXPECT_EQ(bn.state_dict().at("num_batches_tracked").item(), 2.0);
}

// The batch counter is counted on the host and written to its buffer only when
// the state is handed out: a training forward reads no device memory.
TEST(BatchNorm2d, CountsBatchesOnTheHostAndWritesTheBufferForTheState) {
  BatchNorm2d bn(2);
  const Tensor x = from_vector<float>({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 1, 2});
  const HostReadScope reads;
  bn.forward(x);
  bn.forward(x);
  EXPECT_EQ(reads.reads(), 0u);
  EXPECT_EQ(bn.num_batches_tracked.data<int64_t>()[0], 0) << "the forward wrote the buffer";
  const Tensor counter = bn.state_dict().at("num_batches_tracked");
  EXPECT_EQ(counter.data<int64_t>()[0], 2);
  EXPECT_EQ(reads.reads(), 0u) << "writing the pending count must not read the buffer";
  // A load replaces the count; later forwards add to the loaded value.
  bn.forward(x);
  StateDict loaded = bn.state_dict();
  loaded["num_batches_tracked"] = from_vector<int64_t>({40}, {});
  bn.load_state_dict(loaded);
  bn.forward(x);
  EXPECT_EQ(bn.state_dict().at("num_batches_tracked").item(), 41.0);
}

TEST(BatchNorm2d, EvalUsesRunningStatistics) {
  BatchNorm2d bn(1);
  bn.running_mean.copy_(full({1}, 1.0));
  bn.running_var.copy_(full({1}, 4.0));
  bn.weight.copy_(full({1}, 2.0));
  bn.bias.copy_(full({1}, 0.5));
  bn.eval();
  const std::vector<float> y = bn.forward(from_vector<float>({3, 5}, {2, 1})).to_vector<float>();
  EXPECT_NEAR(y[0], 2 * (3 - 1) / std::sqrt(4 + 1e-5) + 0.5, 1e-5);
  EXPECT_NEAR(y[1], 2 * (5 - 1) / std::sqrt(4 + 1e-5) + 0.5, 1e-5);
  EXPECT_EQ(bn.state_dict().at("num_batches_tracked").item(), 0.0);
  EXPECT_EQ(bn.running_mean.item(), 1.0);
}

TEST(BatchNorm2d, FrozenStaysInInferenceModeAndFreezesAffine) {
  Sequential net;
  auto bn = net.push_back(std::make_shared<BatchNorm2d>(2));
  EXPECT_EQ(freeze_batch_norm(net), 1);
  net.train();
  EXPECT_TRUE(bn->frozen());
  EXPECT_FALSE(bn->weight.requires_grad());
  EXPECT_FALSE(bn->bias.requires_grad());
  const Tensor x = from_vector<float>({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 1, 2}).set_requires_grad(true);
  const Tensor y = net.forward(x);
  EXPECT_EQ(bn->running_mean.to_vector<float>(), (std::vector<float>{0, 0}));
  EXPECT_EQ(bn->state_dict().at("num_batches_tracked").item(), 0.0);
  // running stats 0 / 1: y = x / sqrt(1 + eps)
  EXPECT_NEAR(y.to_vector<float>()[7], 8 / std::sqrt(1 + 1e-5), 1e-5);
  sum(y).backward();
  EXPECT_FALSE(bn->weight.grad().defined());
  EXPECT_TRUE(x.grad().defined());
}

TEST(Pooling, GlobalAveragePlusMax) {
  const Tensor x = from_vector<float>({1, 2, 3, 6, -1, -2, -3, -6}, {1, 2, 2, 2});
  EXPECT_EQ(global_avg_plus_max_pool(x).to_vector<float>(), (std::vector<float>{3 + 6, -3 - 1}));
  EXPECT_EQ(global_avg_plus_max_pool(x).shape(), (Shape{1, 2}));
}

// A parameter-free layer, so the numbered names skip an index.
struct Relu : Layer {
  Tensor forward(const Tensor& x) override { return relu(x); }
};

TEST(Sequential, AppliesInOrderWithNumberedNames) {
  Generator gen(3);
  Sequential seq;
  auto first = seq.push_back(std::make_shared<Linear>(2, 2, gen, Bias::none));
  seq.push_back(std::make_shared<Relu>());
  auto last = seq.push_back(std::make_shared<Linear>(2, 1, gen, Bias::none));
  first->weight.copy_(from_vector<float>({1, 0, 0, -1}, {2, 2}));
  last->weight.copy_(from_vector<float>({1, 1}, {1, 2}));
  EXPECT_EQ(seq.state_dict_names(), (std::vector<std::string>{"0.weight", "2.weight"}));
  EXPECT_EQ(seq.forward(from_vector<float>({3, 4}, {1, 2})).to_vector<float>(), (std::vector<float>{3}));
  EXPECT_EQ(seq.size(), 3u);
}

}  // namespace
}  // namespace idml::nn
