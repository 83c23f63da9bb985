// The oneDNN convolutions against the im2col + GEMM path, on every
// convolution shape of ResNet-18 and ResNet-50 at 224 px (the 7x7 stem,
// strides 1 and 2, 1x1 and 3x3), batch 1 and 8: forward, backward-data and
// backward-weights, plus the fused epilogue (bias, residual, ReLU).
// Tolerance: max |onednn - im2col| <= 2e-5 * max |im2col| for forward
// and backward-data (sums of <= 4608 float32 products), 1e-4 for
// backward-weights (sums of up to N*OH*OW = 100352 products).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/cpu/onednn_conv.h"
#include "engine/generator.h"
#include "engine/ops.h"
#include "tests/engine/test_util.h"

namespace idml {
namespace {

struct Shape2d {
  int64_t in_channels, out_channels, kernel, stride, size;
};

// Distinct convolutions of torchvision's ResNet-18 and ResNet-50 at 224 px.
const std::vector<Shape2d> kResNetConvs = {
    {3, 64, 7, 2, 224},                                                          // stem
    {64, 64, 3, 1, 56},    {64, 128, 3, 2, 56},  {128, 128, 3, 1, 28}, {64, 128, 1, 2, 56},  // ResNet-18
    {128, 256, 3, 2, 28},  {256, 256, 3, 1, 14}, {128, 256, 1, 2, 28}, {256, 512, 3, 2, 14},
    {512, 512, 3, 1, 7},   {256, 512, 1, 2, 14},
    {64, 64, 1, 1, 56},    {64, 256, 1, 1, 56},  {256, 64, 1, 1, 56},  {256, 128, 1, 1, 56},  // ResNet-50
    {128, 128, 3, 2, 56},  {128, 512, 1, 1, 28}, {256, 512, 1, 2, 56}, {512, 128, 1, 1, 28},
    {512, 256, 1, 1, 28},  {256, 1024, 1, 1, 14}, {512, 1024, 1, 2, 28}, {1024, 256, 1, 1, 14},
    {1024, 512, 1, 1, 14}, {512, 512, 3, 2, 14}, {512, 2048, 1, 1, 7}, {1024, 2048, 1, 2, 14},
    {2048, 512, 1, 1, 7}};

using ConvPath = cpu::ScopedConvImplementation;

using testing::relative_error;

struct Results {
  Tensor y, dx, dw, db;
};

// y = conv2d(x, w, bias) and the gradients of sum(y * seed); bias may be undefined.
Results run(cpu::ConvImplementation path, const Tensor& x, const Tensor& w, const Tensor& seed, Conv2dOptions o,
            const Tensor& bias = Tensor()) {
  ConvPath scope(path);
  const Tensor xl = x.detach().set_requires_grad(true), wl = w.detach().set_requires_grad(true);
  const Tensor bl = bias.defined() ? bias.detach().set_requires_grad(true) : Tensor();
  const Tensor y = conv2d(xl, wl, bl, o);
  y.backward(seed);
  return {y.detach(), xl.grad(), wl.grad(), bl.defined() ? bl.grad() : Tensor()};
}

TEST(OneDnnConv, EveryResNetConvolutionMatchesTheReference) {
  Generator gen(90);
  for (const Shape2d& s : kResNetConvs)
    for (int64_t batch : {1, 8}) {
      SCOPED_TRACE(std::to_string(s.in_channels) + "->" + std::to_string(s.out_channels) + " k" +
                   std::to_string(s.kernel) + " s" + std::to_string(s.stride) + " at " + std::to_string(s.size) +
                   " batch " + std::to_string(batch));
      const Tensor x = randn({batch, s.in_channels, s.size, s.size}, gen);
      const double fan_in = static_cast<double>(s.in_channels * s.kernel * s.kernel);
      const Tensor w = randn({s.out_channels, s.in_channels, s.kernel, s.kernel}, gen, 0, 1 / std::sqrt(fan_in));
      const Conv2dOptions o{s.stride, s.kernel / 2, 1};
      const int64_t out = (s.size + 2 * o.padding - s.kernel) / s.stride + 1;
      const Tensor seed = randn({batch, s.out_channels, out, out}, gen);
      const Results fast = run(cpu::ConvImplementation::OneDnn, x, w, seed, o);
      const Results ref = run(cpu::ConvImplementation::Im2col, x, w, seed, o);
      EXPECT_LE(relative_error(fast.y, ref.y), 2e-5);
      EXPECT_LE(relative_error(fast.dx, ref.dx), 2e-5);
      EXPECT_LE(relative_error(fast.dw, ref.dw), 1e-4);
    }
}

// Odd shapes: padding that the stride cuts short on the right, dilation, bias, tiny maps.
TEST(OneDnnConv, OddGeometriesMatchTheReference) {
  Generator gen(91);
  struct Case {
    int64_t c, oc, k, size, stride, padding, dilation;
  };
  for (const Case& t : std::vector<Case>{{5, 7, 3, 10, 2, 1, 1}, {3, 4, 5, 9, 3, 2, 1}, {6, 5, 3, 11, 1, 2, 2},
                                         {4, 3, 3, 3, 1, 0, 1}, {2, 9, 1, 6, 2, 0, 1}}) {
    SCOPED_TRACE("k " + std::to_string(t.k) + " size " + std::to_string(t.size) + " stride " +
                 std::to_string(t.stride) + " dilation " + std::to_string(t.dilation));
    const Tensor x = randn({3, t.c, t.size, t.size}, gen);
    const Tensor w = randn({t.oc, t.c, t.k, t.k}, gen);
    const Tensor b = randn({t.oc}, gen);
    const Conv2dOptions o{t.stride, t.padding, t.dilation};
    Tensor y[2];
    for (int i = 0; i < 2; ++i) {
      ConvPath scope(i == 0 ? cpu::ConvImplementation::OneDnn : cpu::ConvImplementation::Im2col);
      y[i] = conv2d(x, w, b, o);
    }
    EXPECT_LE(relative_error(y[0], y[1]), 2e-5);
    const Tensor seed = randn(y[1].shape(), gen);
    const Results fast = run(cpu::ConvImplementation::OneDnn, x, w, seed, o, b);
    const Results ref = run(cpu::ConvImplementation::Im2col, x, w, seed, o, b);
    EXPECT_LE(relative_error(fast.dx, ref.dx), 2e-5);
    EXPECT_LE(relative_error(fast.dw, ref.dw), 2e-5);
    EXPECT_LE(relative_error(fast.db, ref.db), 2e-5);  // computed in the dW pass on both paths
  }
}

// Output maps of at most 2 x 2 (ResNet-18's last stage at 64 px) compute dW by
// one GEMM over the batch (onednn::backward_weights_by_gemm), reading x and dy
// from oneDNN's blocked layout: two such convolutions in a chain, so that the
// second reads a blocked x and the first a blocked dy, equal the im2col path.
TEST(OneDnnConv, TinyMapsTakeTheGemmForBackwardWeights) {
  const auto geometry = [](int64_t size) {
    return Conv2dGeometry{8, 32, size, size, 32, 3, 3, 1, 1, 1, size, size};
  };
  EXPECT_TRUE(cpu::onednn::backward_weights_by_gemm(geometry(2)));
  EXPECT_TRUE(cpu::onednn::backward_weights_by_gemm(geometry(1)));
  EXPECT_FALSE(cpu::onednn::backward_weights_by_gemm(geometry(3)));
  Generator gen(92);
  const Tensor x = randn({8, 32, 2, 2}, gen), w1 = randn({32, 32, 3, 3}, gen, 0.0, 0.06),
               w2 = randn({32, 32, 3, 3}, gen, 0.0, 0.06), b2 = randn({32}, gen), seed = randn({8, 32, 2, 2}, gen);
  struct Chain {
    Tensor y, dx, dw1, dw2, db2;
  };
  const auto chain = [&](cpu::ConvImplementation path) {
    ConvPath scope(path);
    const cpu::onednn::ScopedActivationLayout blocked(cpu::onednn::ActivationLayout::Blocked);
    Tensor xl = x.detach().set_requires_grad(true), w1l = w1.detach().set_requires_grad(true),
           w2l = w2.detach().set_requires_grad(true), b2l = b2.detach().set_requires_grad(true);
    const Tensor a = conv2d(xl, w1l, Tensor(), {1, 1, 1}, {Tensor(), true});
    if (path == cpu::ConvImplementation::OneDnn) EXPECT_FALSE(a.is_plain()) << a;
    const Tensor y = conv2d(a, w2l, b2l, {1, 1, 1});
    y.backward(seed);
    return Chain{y.detach(), xl.grad(), w1l.grad(), w2l.grad(), b2l.grad()};
  };
  const Chain fast = chain(cpu::ConvImplementation::OneDnn), ref = chain(cpu::ConvImplementation::Im2col);
  EXPECT_LE(relative_error(fast.y, ref.y), 2e-5);
  EXPECT_LE(relative_error(fast.dx, ref.dx), 2e-5);
  EXPECT_LE(relative_error(fast.dw1, ref.dw1), 2e-5);
  EXPECT_LE(relative_error(fast.dw2, ref.dw2), 2e-5);
  EXPECT_LE(relative_error(fast.db2, ref.db2), 2e-5);
}

}  // namespace
}  // namespace idml
