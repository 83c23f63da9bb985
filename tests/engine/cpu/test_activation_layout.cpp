// The Blocked activation layout policy (engine/cpu/conv_choices.h): a chain of
// oneDNN convolutions reorders only at its ends, forward and backward, every
// other op sees the plain values, and values and gradients equal the Plain
// policy's: bit for bit without a residual (the same primitive on the same
// numbers), to float32 rounding with one (a binary post-op adds it in place of
// the sum post-op).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/cpu/onednn_conv.h"
#include "engine/generator.h"
#include "engine/ops.h"

namespace idml {
namespace {

using cpu::onednn::ActivationLayout;
using cpu::onednn::ScopedActivationLayout;

struct Chain {
  Tensor y;                 // conv3(conv2(conv1(x)) + conv1(x)), with ReLUs
  Tensor dx, dw1, dw2, dw3;  // gradients of sum(y * seed)
  int64_t reorders = 0;     // activation reorders and copies of the forward and the read of y
  int64_t backward_reorders = 0;  // those of the backward pass and the read of dx
};

// A residual unit as in ResNet's basic block: 32 channels (a multiple of the
// 8 or 16 channels of oneDNN's blocked layouts), then a strided 1x1 to 64.
Chain run_chain(ActivationLayout layout, bool backward) {
  const cpu::ScopedConvImplementation onednn(cpu::ConvImplementation::OneDnn);
  const ScopedActivationLayout scope(layout);
  Generator gen(31);
  Tensor x = randn({2, 32, 12, 12}, gen), w1 = randn({32, 32, 3, 3}, gen, 0.0, 0.1),
         w2 = randn({32, 32, 3, 3}, gen, 0.0, 0.1), w3 = randn({64, 32, 1, 1}, gen, 0.0, 0.2);
  const Tensor seed = randn({2, 64, 6, 6}, gen);
  for (Tensor* t : {&x, &w1, &w2, &w3}) t->set_requires_grad(backward);
  const int64_t before = cpu::onednn::activation_reorders();
  const Tensor a = conv2d(x, w1, Tensor(), {1, 1, 1}, {Tensor(), true});
  const Tensor b = conv2d(a, w2, Tensor(), {1, 1, 1}, {a, true});  // relu(conv(a) + a)
  // The network's edge: y converted to NCHW once, by name, for every reader after it
  const Tensor y = to_plain(conv2d(b, w3, Tensor(), {2, 0, 1}));
  Chain out;
  out.y = y.detach();
  std::vector<float> values = out.y.to_vector<float>();
  out.reorders = cpu::onednn::activation_reorders() - before;
  if (backward) {
    const int64_t before_backward = cpu::onednn::activation_reorders();
    sum(mul(y, seed)).backward();
    out.dx = x.grad();  // a leaf's gradient is plain
    values = out.dx.to_vector<float>();
    out.backward_reorders = cpu::onednn::activation_reorders() - before_backward;
    out.dw1 = w1.grad();
    out.dw2 = w2.grad();
    out.dw3 = w3.grad();
  }
  return out;
}

// max |a - b| <= 1e-6 * max |b|: a residual added by another post-op rounds
// once differently.
void expect_close(const Tensor& a, const Tensor& b, const char* what) {
  const std::vector<float> x = to_plain(a).to_vector<float>(), y = to_plain(b).to_vector<float>();
  ASSERT_EQ(x.size(), y.size()) << what;
  float scale = 0, error = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    scale = std::max(scale, std::abs(y[i]));
    error = std::max(error, std::abs(x[i] - y[i]));
  }
  EXPECT_LE(error, 1e-6f * scale) << what;
}

bool blocked_layout_available() {
  const cpu::ScopedConvImplementation onednn(cpu::ConvImplementation::OneDnn);
  const ScopedActivationLayout scope(ActivationLayout::Blocked);
  Generator gen(1);
  const Tensor y = conv2d(randn({1, 32, 6, 6}, gen), randn({32, 32, 3, 3}, gen), Tensor(), {1, 1, 1});
  return !y.is_plain();
}

TEST(ActivationLayout, AChainOfConvolutionsReordersOnlyAtItsEnds) {
  if (!blocked_layout_available()) GTEST_SKIP() << "oneDNN computes these convolutions in NCHW on this CPU";
  const Chain plain = run_chain(ActivationLayout::Plain, false);
  const Chain blocked = run_chain(ActivationLayout::Blocked, false);
  // Plain: x in, a out; a in, the residual a into b's destination, b out; b in, y out.
  EXPECT_EQ(plain.reorders, 7);
  // Blocked: x in; y converted to NCHW when read. a and b never leave the
  // layout, and the residual a is read in place by a binary post-op (no copy).
  EXPECT_EQ(blocked.reorders, 2);
  expect_close(blocked.y, plain.y, "y");
}

TEST(ActivationLayout, GradientsMatchThePlainPolicy) {
  const Chain plain = run_chain(ActivationLayout::Plain, true);
  const Chain blocked = run_chain(ActivationLayout::Blocked, true);
  expect_close(blocked.y, plain.y, "y");
  expect_close(blocked.dx, plain.dx, "dx");
  expect_close(blocked.dw1, plain.dw1, "dw1");
  expect_close(blocked.dw2, plain.dw2, "dw2");
  expect_close(blocked.dw3, plain.dw3, "dw3");
}

TEST(ActivationLayout, GradientsStayBlockedBetweenConvolutions) {
  if (!blocked_layout_available()) GTEST_SKIP() << "oneDNN computes these convolutions in NCHW on this CPU";
  const Chain plain = run_chain(ActivationLayout::Plain, true);
  const Chain blocked = run_chain(ActivationLayout::Blocked, true);
  // Plain: each of the three convolutions reorders dy in for backward-data
  // and for backward-weights, dx out, and x in for backward-weights.
  EXPECT_EQ(plain.backward_reorders, 12);
  // Blocked: only the edges, dy of the last convolution in (twice: two
  // primitives), the input x in for the first one's dW, and dx's read as NCHW.
  // The ReLU backward and the sum of the residual's two gradients run on the
  // blocked bytes, and backward-data leaves dx blocked.
  EXPECT_EQ(blocked.backward_reorders, 4);
}

// A blocked output says so: its layout is named as oneDNN names it, in the
// tensor's description and in the error of a reader that wants plain bytes.
TEST(ActivationLayout, TheLayoutIsNamedInDescriptionsAndErrors) {
  if (!blocked_layout_available()) GTEST_SKIP() << "oneDNN computes these convolutions in NCHW on this CPU";
  const cpu::ScopedConvImplementation onednn(cpu::ConvImplementation::OneDnn);
  const ScopedActivationLayout scope(ActivationLayout::Blocked);
  Generator gen(3);
  const Tensor y = conv2d(randn({1, 32, 6, 6}, gen), randn({32, 32, 3, 3}, gen), Tensor(), {1, 1, 1});
  const std::string name = y.layout_name();
  EXPECT_TRUE(name == "oneDNN nChw8c" || name == "oneDNN nChw16c") << name;
  EXPECT_EQ(y.str(), "float32[1, 32, 6, 6] on cpu, layout " + name);
  std::string error;
  try {
    y.data<float>();
  } catch (const Error& e) {
    error = e.what();
  }
  EXPECT_NE(error.find(name), std::string::npos) << error;
  EXPECT_TRUE(to_plain(y).is_plain());
}

// Other ops, views and the im2col convolution read a blocked output as NCHW.
TEST(ActivationLayout, EveryOtherReaderSeesThePlainValues) {
  if (!blocked_layout_available()) GTEST_SKIP() << "oneDNN computes these convolutions in NCHW on this CPU";
  Generator gen(5);
  const Tensor x = randn({2, 32, 8, 8}, gen), w = randn({32, 32, 3, 3}, gen, 0.0, 0.1);
  std::vector<float> expected;
  {
    const ScopedActivationLayout scope(ActivationLayout::Plain);
    expected = conv2d(x, w, Tensor(), {1, 1, 1}).to_vector<float>();
  }
  const ScopedActivationLayout scope(ActivationLayout::Blocked);
  const auto blocked = [&] {
    const Tensor y = conv2d(x, w, Tensor(), {1, 1, 1});
    EXPECT_FALSE(y.is_plain()) << y;
    return y;
  };
  // an element-wise op, a view with an offset (narrow), a reshape (which keeps
  // the layout until a named conversion), a pooling
  EXPECT_EQ(mul_scalar(blocked(), 1.0).to_vector<float>(), expected);
  const std::vector<float> second_image(expected.begin() + 32 * 64, expected.end());
  EXPECT_EQ(narrow(blocked(), 0, 1, 1).to_vector<float>(), second_image);
  const Tensor flat = blocked().reshape({2, -1});
  EXPECT_FALSE(flat.is_plain());
  EXPECT_EQ(to_plain(flat).to_vector<float>(), expected);
  const Tensor pooled = adaptive_avg_pool2d_1x1(blocked());
  EXPECT_NEAR(pooled.to_vector<float>()[0],
              [&] {
                double s = 0;
                for (int i = 0; i < 64; ++i) s += expected[i];
                return s / 64;
              }(),
              1e-5);
  // the im2col convolution, which knows no blocked layout
  const Tensor y = blocked();
  const cpu::ScopedConvImplementation im2col(cpu::ConvImplementation::Im2col);
  const Tensor z = conv2d(y, w, Tensor(), {1, 1, 1});
  EXPECT_FALSE(y.is_plain());  // the convolution converted a copy; y keeps its layout
  EXPECT_EQ(to_plain(y).to_vector<float>(), expected);
  EXPECT_EQ(z.shape(), (Shape{2, 32, 8, 8}));
}

// Max pooling reads a blocked activation as it is and leaves its output in the
// same layout: ResNet's stem (conv, pool, conv) reorders only at its ends, and
// the values (ties, NaN) and the gradients, which follow the windows' choices,
// equal the Plain policy's, which pools NCHW.
TEST(ActivationLayout, MaxPoolingKeepsTheBlockedLayout) {
  if (!blocked_layout_available()) GTEST_SKIP() << "oneDNN computes these convolutions in NCHW on this CPU";
  const cpu::ScopedConvImplementation onednn(cpu::ConvImplementation::OneDnn);
  struct Stem {
    Tensor pooled, y, dx;
    int64_t reorders;
  };
  const auto stem = [](ActivationLayout layout, bool backward) {
    const ScopedActivationLayout scope(layout);
    Generator gen(41);
    Tensor x = randn({2, 16, 11, 11}, gen);
    const Tensor w1 = randn({32, 16, 3, 3}, gen, 0.0, 0.1), w2 = randn({32, 32, 1, 1}, gen, 0.0, 0.2);
    if (!backward) {  // a NaN pixel, which the convolution spreads over a 3x3 patch of every channel
      std::vector<float> values = x.to_vector<float>();
      values[5 * 11 + 6] = std::nanf("");
      x = from_vector(values, x.shape());
    }
    x.set_requires_grad(backward);
    const int64_t before = cpu::onednn::activation_reorders();
    // With the backward, ReLU's zeros make ties in the windows; without it, no
    // ReLU, which would turn the NaNs into zeros
    const Tensor a = conv2d(x, w1, Tensor(), {1, 1, 1}, {Tensor(), backward});
    const Tensor pooled = max_pool2d(a, {3, 2, 1});
    EXPECT_EQ(!pooled.is_plain(), layout == ActivationLayout::Blocked);
    const Tensor y = conv2d(pooled, w2, Tensor(), {1, 0, 1});
    Stem out{pooled.detach(), y.detach(), Tensor(), 0};
    to_plain(out.y);
    out.reorders = cpu::onednn::activation_reorders() - before;
    if (backward) {
      sum(mul(y, y)).backward();
      out.dx = x.grad();
    }
    return out;
  };
  for (const bool backward : {false, true}) {
    SCOPED_TRACE(backward ? "with the backward" : "inference, a NaN in the input");
    const Stem plain = stem(ActivationLayout::Plain, backward);
    const Stem blocked = stem(ActivationLayout::Blocked, backward);
    const std::vector<float> p = to_plain(plain.pooled).to_vector<float>();
    const std::vector<float> b = to_plain(blocked.pooled).to_vector<float>();
    ASSERT_EQ(p.size(), b.size());
    for (size_t i = 0; i < p.size(); ++i)
      ASSERT_TRUE(p[i] == b[i] || (std::isnan(p[i]) && std::isnan(b[i]))) << i << ": " << p[i] << " " << b[i];
    EXPECT_EQ(std::count_if(p.begin(), p.end(), [](float v) { return std::isnan(v); }) > 0, !backward);
    if (backward) {
      expect_close(blocked.y, plain.y, "y");
      expect_close(blocked.dx, plain.dx, "dx");
      // x in, y out: the pooling between the convolutions reorders nothing
      EXPECT_EQ(blocked.reorders, 2);
    }
  }
}

}  // namespace
}  // namespace idml
