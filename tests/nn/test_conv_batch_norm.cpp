// conv_batch_norm: with running statistics (eval mode, frozen) it is the
// folded convolution and equals bn(conv(x)) [+ residual] [relu] in value and
// in the gradients of x, W, gamma and beta; with batch statistics it is the
// three layers one by one and updates the running statistics.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/ops.h"
#include "nn/conv_batch_norm.h"
#include "tests/engine/test_util.h"

namespace idml::nn {
namespace {

using testing::relative_error;

struct Layers {
  Generator gen{7};
  Conv2d conv{Conv2dConfig{8, 16, 3, 2, 1, 1, false}, gen};
  BatchNorm2d bn{16};
  Layers() {  // statistics and affine parameters away from their defaults
    bn.running_mean.copy_(randn({16}, gen));
    bn.running_var.copy_(rand({16}, gen, 0.5, 2.0));
    bn.weight.detach().copy_(randn({16}, gen));
    bn.bias.detach().copy_(randn({16}, gen));
  }
};

void expect_fold_matches(Layers& l, bool freeze) {
  if (freeze) l.bn.freeze();
  else l.bn.eval();
  if (freeze) {  // warm-up may re-enable the affine parameters of a frozen BN
    l.bn.weight.set_requires_grad(true);
    l.bn.bias.set_requires_grad(true);
  }
  ASSERT_FALSE(l.bn.uses_batch_statistics());
  const Tensor x = randn({4, 8, 12, 12}, l.gen).set_requires_grad(true);
  const Tensor r = randn({4, 16, 6, 6}, l.gen).set_requires_grad(true);
  const Tensor seed = randn({4, 16, 6, 6}, l.gen);
  const std::vector<Tensor> leaves{x, r, l.conv.weight, l.bn.weight, l.bn.bias};
  std::vector<Tensor> out[2];
  for (int folded = 0; folded < 2; ++folded) {
    for (const Tensor& t : leaves) t.zero_grad();
    const Tensor y = folded ? conv_batch_norm(x, l.conv, l.bn, r, Activation::relu)
                            : relu(add(l.bn.forward(l.conv.forward(x)), r));
    y.backward(seed);
    out[folded].push_back(y.detach());
    for (const Tensor& t : leaves) out[folded].push_back(t.grad());
  }
  const char* names[] = {"y", "dx", "dresidual", "dW", "dgamma", "dbeta"};
  for (size_t k = 0; k < out[0].size(); ++k) EXPECT_LE(relative_error(out[1][k], out[0][k]), 1e-5) << names[k];
}

TEST(ConvBatchNorm, FoldedInEvalModeEqualsTheLayers) {
  Layers l;
  expect_fold_matches(l, false);
}

TEST(ConvBatchNorm, FoldedWhenFrozenEqualsTheLayers) {
  Layers l;
  l.bn.train();
  expect_fold_matches(l, true);
}

TEST(ConvBatchNorm, BatchStatisticsRunTheLayersAndUpdateRunningStatistics) {
  Layers l;
  l.bn.train();
  const Tensor x = randn({4, 8, 12, 12}, l.gen);
  const std::vector<float> before = l.bn.running_mean.to_vector<float>();
  const Tensor y = conv_batch_norm(x, l.conv, l.bn, Tensor(), Activation::relu);
  EXPECT_NE(l.bn.running_mean.to_vector<float>(), before);
  EXPECT_EQ(l.bn.state_dict().at("num_batches_tracked").to_vector<int64_t>()[0], 1);
  const Tensor expected = relu(l.bn.forward(l.conv.forward(x)));
  EXPECT_EQ(y.to_vector<float>(), expected.to_vector<float>());
}

}  // namespace
}  // namespace idml::nn
