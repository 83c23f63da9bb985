// conv2d against the naive direct convolution, and its gradients; the fused
// epilogue (residual, ReLU) and the folded frozen batch norm against the
// unfused ops, value and gradients (finite differences in float64).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "engine/autograd.h"
#include "engine/cpu/reference.h"
#include "tests/engine/test_util.h"

namespace idml {
namespace {

using testing::host;

struct ConvCase {
  Shape input;    // N, C, H, W
  Shape weight;   // OC, C, KH, KW
  Conv2dOptions options;
  bool bias;
};

std::vector<ConvCase> conv_cases() {
  return {
      {{1, 1, 5, 5}, {1, 1, 3, 3}, {1, 0, 1}, false},  // batch 1, single channel
      {{2, 3, 7, 6}, {4, 3, 3, 3}, {1, 1, 1}, true},   // same padding, odd sizes
      {{3, 2, 9, 9}, {5, 2, 3, 3}, {2, 1, 1}, true},   // stride 2
      {{2, 4, 6, 5}, {3, 4, 1, 1}, {1, 0, 1}, false},  // pointwise: straight to GEMM
      {{2, 4, 6, 7}, {3, 4, 1, 1}, {2, 0, 1}, true},   // strided 1x1 (downsample)
      {{1, 2, 9, 8}, {2, 2, 3, 2}, {1, 2, 2}, true},   // dilation, rectangular kernel
      {{2, 3, 11, 11}, {4, 3, 7, 7}, {2, 3, 1}, false},  // the ResNet stem's geometry
      {{5, 2, 4, 4}, {3, 2, 3, 3}, {1, 1, 1}, true},   // more samples than threads
  };
}

Conv2dGeometry geometry(const ConvCase& c) {
  Conv2dGeometry g{c.input[0], c.input[1], c.input[2], c.input[3], c.weight[0], c.weight[2], c.weight[3],
                   c.options.stride, c.options.padding, c.options.dilation, 0, 0};
  g.out_height = (g.in_height + 2 * g.padding - g.dilation * (g.kernel_height - 1) - 1) / g.stride + 1;
  g.out_width = (g.in_width + 2 * g.padding - g.dilation * (g.kernel_width - 1) - 1) / g.stride + 1;
  return g;
}

TEST(ConvOps, ForwardMatchesDirectConvolution) {
  Generator gen(40);
  for (const ConvCase& c : conv_cases()) {
    SCOPED_TRACE(shape_str(c.input) + " * " + shape_str(c.weight));
    const Tensor x = randn(c.input, gen, 0, 1, DType::Float64);
    const Tensor w = randn(c.weight, gen, 0, 1, DType::Float64);
    const Tensor b = c.bias ? randn({c.weight[0]}, gen, 0, 1, DType::Float64) : Tensor();
    const Conv2dGeometry g = geometry(c);
    std::vector<double> expected(g.batch * g.out_channels * g.out_height * g.out_width);
    cpu::reference::conv2d(g, host(x).data(), host(w).data(), c.bias ? host(b).data() : nullptr, expected.data());
    const Tensor y = conv2d(x, w, b, c.options);
    EXPECT_EQ(y.shape(), (Shape{g.batch, g.out_channels, g.out_height, g.out_width}));
    testing::expect_near_all(host(y), expected, 1e-12, "conv2d f64");
    const Tensor y32 = conv2d(x.to(DType::Float32), w.to(DType::Float32),
                              c.bias ? b.to(DType::Float32) : Tensor(), c.options);
    testing::expect_near_all(host(y32), expected, 1e-5, "conv2d f32");
  }
}

TEST(ConvOps, BackwardMatchesFiniteDifferences) {
  Generator gen(41);
  for (const ConvCase& c : conv_cases()) {
    SCOPED_TRACE(shape_str(c.input) + " * " + shape_str(c.weight));
    const Tensor x = testing::random_leaf(c.input, gen);
    const Tensor w = testing::random_leaf(c.weight, gen);
    const Tensor b = c.bias ? testing::random_leaf({c.weight[0]}, gen) : Tensor();
    EXPECT_GRADIENTS_MATCH(
        [&](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], in[2], c.options); },
        (std::vector<Tensor>{x, w, b}));
  }
}

TEST(ConvOps, ShapeErrorsAreClear) {
  EXPECT_THROW(conv2d(zeros({1, 3, 5, 5}), zeros({2, 4, 3, 3}), Tensor()), Error);  // channels
  EXPECT_THROW(conv2d(zeros({1, 3, 2, 2}), zeros({2, 3, 3, 3}), Tensor()), Error);  // too small
  EXPECT_THROW(conv2d(zeros({3, 5, 5}), zeros({2, 3, 3, 3}), Tensor()), Error);     // rank
  EXPECT_THROW(conv2d(zeros({1, 3, 5, 5}), zeros({2, 3, 3, 3}), zeros({3})), Error);  // bias
}

TEST(ConvOps, FusedEpilogueEqualsTheSeparateOps) {
  Generator gen(42);
  for (DType dtype : {DType::Float64, DType::Float32}) {
    const Tensor x = randn({2, 3, 7, 7}, gen, 0, 1, dtype);
    const Tensor w = randn({4, 3, 3, 3}, gen, 0, 1, dtype);
    const Tensor b = randn({4}, gen, 0, 1, dtype);
    const Tensor r = randn({2, 4, 4, 4}, gen, 0, 1, dtype);
    const Conv2dOptions o{2, 1, 1};
    const Tensor fused = conv2d(x, w, b, o, Conv2dEpilogue{r, true});
    const Tensor separate = relu(add(conv2d(x, w, b, o), r));
    testing::expect_near_all(host(fused), host(separate), dtype == DType::Float64 ? 1e-12 : 1e-5, "fused");
    EXPECT_THROW(conv2d(x, w, b, o, Conv2dEpilogue{randn({2, 4, 3, 3}, gen, 0, 1, dtype), true}), Error);
  }
  const Tensor x = testing::random_leaf({2, 2, 5, 5}, gen), w = testing::random_leaf({3, 2, 3, 3}, gen);
  const Tensor b = testing::random_leaf({3}, gen), r = testing::random_leaf({2, 3, 5, 5}, gen);
  EXPECT_GRADIENTS_MATCH(
      [](const std::vector<Tensor>& in) {
        return conv2d(in[0], in[1], in[2], {1, 1, 1}, Conv2dEpilogue{in[3], true});
      },
      (std::vector<Tensor>{x, w, b, r}));
}

// bn(conv(x, W)) in inference mode, computed as conv(x, a W) + c.
TEST(ConvOps, FrozenBatchNormFoldEqualsConvThenBatchNorm) {
  Generator gen(43);
  const Tensor x = testing::random_leaf({2, 3, 6, 6}, gen), w = testing::random_leaf({4, 3, 3, 3}, gen);
  const Tensor gamma = testing::random_leaf({4}, gen), beta = testing::random_leaf({4}, gen);
  const Tensor r = testing::random_leaf({2, 4, 3, 3}, gen);
  const Tensor mean = randn({4}, gen, 0, 1, DType::Float64);
  const Tensor var = rand({4}, gen, 0.5, 2.0, DType::Float64);
  const Conv2dOptions o{2, 1, 1};
  auto unfolded = [&](const std::vector<Tensor>& in) {
    return relu(add(batch_norm(conv2d(in[0], in[1], Tensor(), o), in[2], in[3], mean, var, BatchNormMode::inference), in[4]));
  };
  auto folded = [&](const std::vector<Tensor>& in) {
    return conv2d_frozen_batch_norm(in[0], in[1], in[2], in[3], mean, var, 1e-5, o, Conv2dEpilogue{in[4], true});
  };
  const std::vector<Tensor> inputs{x, w, gamma, beta, r};
  const Tensor seed = randn({2, 4, 3, 3}, gen, 0, 1, DType::Float64);
  std::vector<std::vector<double>> grads[2];
  for (int i = 0; i < 2; ++i) {
    for (const Tensor& t : inputs) t.zero_grad();
    const Tensor y = i == 0 ? unfolded(inputs) : folded(inputs);
    y.backward(seed);
    grads[i].push_back(host(y));
    for (const Tensor& t : inputs) grads[i].push_back(host(t.grad()));
  }
  const char* names[] = {"y", "dx", "dW", "dgamma", "dbeta", "dresidual"};
  for (size_t k = 0; k < grads[0].size(); ++k) testing::expect_near_all(grads[1][k], grads[0][k], 1e-12, names[k]);
  EXPECT_GRADIENTS_MATCH(folded, inputs);
}

// The fold names what it does: the graph of a folded convolution holds a
// scale_output_channels node over the weight and no batch norm at all.
TEST(ConvOps, FrozenBatchNormFoldScalesTheWeightsOutputChannels) {
  Generator gen(44);
  const Tensor x = randn({1, 3, 5, 5}, gen, 0, 1, DType::Float64), w = testing::random_leaf({4, 3, 3, 3}, gen);
  const Tensor gamma = testing::random_leaf({4}, gen), beta = testing::random_leaf({4}, gen);
  const Tensor mean = randn({4}, gen, 0, 1, DType::Float64), var = rand({4}, gen, 0.5, 2.0, DType::Float64);
  const Tensor y = conv2d_frozen_batch_norm(x, w, gamma, beta, mean, var, 1e-5);
  std::vector<std::string> names;
  std::vector<std::shared_ptr<Node>> todo{y.grad_fn()};
  while (!todo.empty()) {
    const std::shared_ptr<Node> node = todo.back();
    todo.pop_back();
    names.push_back(node->name());
    for (const Tensor& input : node->inputs())
      if (input.defined() && input.grad_fn()) todo.push_back(input.grad_fn());
  }
  EXPECT_NE(std::find(names.begin(), names.end(), "scale_output_channels"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "batch_norm"), names.end());
}

// batch_norm_fold: a = gamma / sqrt(var + eps), c = beta - a mean, per channel,
// with the gradients of gamma and beta; the running statistics take none.
TEST(ConvOps, BatchNormFoldIsTheScaleAndShiftOfEachChannel) {
  Generator gen(45);
  const Tensor gamma = testing::random_leaf({5}, gen), beta = testing::random_leaf({5}, gen);
  const Tensor mean = randn({5}, gen, 0, 1, DType::Float64), var = rand({5}, gen, 0.5, 2.0, DType::Float64);
  const double eps = 1e-3;
  const BatchNormFold fold = batch_norm_fold(gamma, beta, mean, var, eps);
  const std::vector<double> g = host(gamma), b = host(beta), m = host(mean), v = host(var);
  std::vector<double> scale(5), shift(5);
  for (size_t o = 0; o < 5; ++o) {
    scale[o] = g[o] / std::sqrt(v[o] + eps);
    shift[o] = b[o] - scale[o] * m[o];
  }
  testing::expect_near_all(host(fold.scale), scale, 1e-15, "scale");
  testing::expect_near_all(host(fold.shift), shift, 1e-15, "shift");
  EXPECT_GRADIENTS_MATCH(
      [&](const std::vector<Tensor>& in) {
        const BatchNormFold f = batch_norm_fold(in[0], in[1], mean, var, eps);
        return add(f.scale, mul(f.shift, f.shift));
      },
      {gamma, beta});
  EXPECT_THROW(batch_norm_fold(gamma, beta, mean, ones({4}, DType::Float64), eps), Error);
}

}  // namespace
}  // namespace idml
