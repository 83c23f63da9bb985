// Tensor handles, factories, views and host transfers; layouts and their named conversions.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "engine/autograd.h"
#include "engine/backend.h"
#include "engine/generator.h"
#include "engine/ops.h"
#include "tests/engine/test_util.h"
#include "tests/error_of.h"

namespace idml {
namespace {

TEST(Tensor, FactoriesFillValues) {
  EXPECT_EQ(zeros({2, 3}).to_vector<float>(), std::vector<float>(6, 0.f));
  EXPECT_EQ(ones({4}, DType::Float64).to_vector<double>(), std::vector<double>(4, 1.0));
  EXPECT_EQ(full({2}, 2.5).to_vector<float>(), (std::vector<float>{2.5f, 2.5f}));
  EXPECT_EQ(arange(4).to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(scalar_tensor(3.0).item(), 3.0);
  EXPECT_EQ(scalar_tensor(3.0).dim(), 0);
}

TEST(Tensor, FromVectorRoundTripAndShapeCheck) {
  const std::vector<float> v{1, 2, 3, 4, 5, 6};
  const Tensor t = from_vector(v, {2, 3});
  EXPECT_EQ(t.shape(), (Shape{2, 3}));
  EXPECT_EQ(t.size(-1), 3);
  EXPECT_EQ(t.to_vector<float>(), v);
  EXPECT_THROW(from_vector(v, {4, 2}), Error);
  EXPECT_THROW(t.to_vector<double>(), Error);
}

TEST(Tensor, RandomIsSeededAndHasTheRightMoments) {
  Generator a(7), b(7);
  EXPECT_EQ(randn({100}, a).to_vector<float>(), randn({100}, b).to_vector<float>());
  Generator g(1);
  const std::vector<double> n = randn({20000}, g, 2.0, 3.0, DType::Float64).to_vector<double>();
  double mean = 0, var = 0;
  for (double x : n) mean += x / n.size();
  for (double x : n) var += (x - mean) * (x - mean) / n.size();
  EXPECT_NEAR(mean, 2.0, 0.1);
  EXPECT_NEAR(std::sqrt(var), 3.0, 0.1);
  for (double u : rand({1000}, g, -1, 1, DType::Float64).to_vector<double>()) {
    EXPECT_GE(u, -1);
    EXPECT_LT(u, 1);
  }
}

TEST(Tensor, GeneratorStateRestoresTheSequence) {
  Generator g(3);
  g.normal();
  const Generator::State saved = g.state();
  const double next = g.normal(), after = g.uniform();
  g.set_state(saved);
  EXPECT_EQ(g.normal(), next);
  EXPECT_EQ(g.uniform(), after);
}

TEST(Tensor, ReshapeSharesStorageAndInfersOneDim) {
  const Tensor t = from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor r = t.reshape({3, -1});
  EXPECT_EQ(r.shape(), (Shape{3, 2}));
  EXPECT_EQ(r.raw_data(), t.raw_data());
  EXPECT_THROW(t.reshape({4, -1}), Error);
  EXPECT_THROW(t.reshape({-1, -1}), Error);
  EXPECT_THROW(t.reshape({5}), Error);
}

TEST(Tensor, CloneAndCopyAreDeep) {
  const Tensor t = from_vector<float>({1, 2}, {2});
  const Tensor c = t.clone();
  EXPECT_NE(c.raw_data(), t.raw_data());
  t.copy_(from_vector<float>({5, 6}, {2}));
  EXPECT_EQ(c.to_vector<float>(), (std::vector<float>{1, 2}));
  EXPECT_EQ(t.to_vector<float>(), (std::vector<float>{5, 6}));
  EXPECT_THROW(t.copy_(zeros({3})), Error);
}

TEST(Tensor, CastBetweenDtypes) {
  const Tensor t = from_vector<double>({1.5, -2.25}, {2});
  EXPECT_EQ(t.to(DType::Float32).to_vector<float>(), (std::vector<float>{1.5f, -2.25f}));
  EXPECT_EQ(from_vector<int64_t>({3, 4}, {2}).to(DType::Float64).to_vector<double>(), (std::vector<double>{3, 4}));
}

TEST(Tensor, ItemNeedsOneElement) {
  EXPECT_THROW(zeros({2}).item(), Error);
  EXPECT_EQ(full({1, 1}, 4.0).item(), 4.0);
}

TEST(Tensor, UndefinedTensorIsAnErrorNotACrash) {
  Tensor t;
  EXPECT_FALSE(t.defined());
  EXPECT_THROW(t.shape(), Error);
}

TEST(Tensor, CudaWithoutBackendIsAClearError) {
  if (cuda_available()) GTEST_SKIP() << "a CUDA device is present";
#ifndef IDML_WITH_CUDA
  try {
    zeros({2}, DType::Float32, Device::cuda(0));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("CUDA"), std::string::npos) << e.what();
  }
#endif
}

TEST(Tensor, ParseDevice) {
  EXPECT_EQ(parse_device("cpu"), Device::cpu());
  EXPECT_EQ(parse_device("cuda:1"), Device::cuda(1));
  EXPECT_THROW(parse_device("gpu"), Error);
  EXPECT_THROW(parse_device("cuda:x"), Error);
}


// A layout that stores the elements in reverse order, counting its conversions.
class ReversedLayout : public StoredLayout {
 public:
  std::string name() const override { return "reversed"; }
  void to_plain(const void* stored, void* plain) const override {
    ++conversions;
    reverse(static_cast<const float*>(stored), static_cast<float*>(plain));
  }
  void from_plain(const void* plain, void* stored) const override {
    ++conversions;
    reverse(static_cast<const float*>(plain), static_cast<float*>(stored));
  }
  int n = 0;
  mutable std::atomic<int> conversions{0};

 private:
  void reverse(const float* from, float* to) const {
    for (int i = 0; i < n; ++i) to[i] = from[n - 1 - i];
  }
};

// A tensor of `values` (plain order) held reversed in `layout`.
Tensor reversed(const std::vector<float>& values, const std::shared_ptr<ReversedLayout>& layout) {
  const Tensor t = empty({static_cast<int64_t>(values.size())});
  float* stored = static_cast<float*>(t.stored_bytes().data);
  for (size_t i = 0; i < values.size(); ++i) stored[i] = values[values.size() - 1 - i];
  t.set_stored_layout(layout);
  return t;
}

// A tensor's layout is a property anyone can see: in str(), repr() and every
// error, and no read changes it; the named conversions make new tensors.
TEST(Tensor, LayoutIsVisibleAndChangedOnlyByNamedConversions) {
  auto layout = std::make_shared<ReversedLayout>();
  layout->n = 64;
  std::vector<float> values(64);
  for (int i = 0; i < 64; ++i) values[i] = static_cast<float>(i);
  const Tensor t = reversed(values, layout);
  EXPECT_EQ(t.layout().get(), layout.get());
  EXPECT_FALSE(t.is_plain());
  EXPECT_EQ(t.str(), "float32[64] on cpu, layout reversed");
  EXPECT_NE(t.repr().find("layout reversed"), std::string::npos) << t.repr();
  EXPECT_EQ(zeros({2}).layout_name(), "plain");
  // Reading it as plain bytes is an error that names the layout and the way out.
  const std::string error = testing::error_of([&] { t.data<float>(); });
  EXPECT_NE(error.find("layout reversed"), std::string::npos) << error;
  EXPECT_NE(error.find("to_plain"), std::string::npos) << error;
  EXPECT_EQ(narrow(t, 0, 0, 2).to_vector<float>(), (std::vector<float>{0, 1}));  // an op converts a copy
  EXPECT_EQ(t.layout().get(), layout.get());                                    // t keeps its layout
  const Tensor plain = to_plain(t);
  EXPECT_TRUE(plain.is_plain());
  EXPECT_EQ(plain.to_vector<float>(), values);
  EXPECT_EQ(layout->conversions.load(), 2);
  EXPECT_TRUE(to_plain(plain).same(plain));  // a plain tensor is its own plain form
  const Tensor back = to_layout(plain, layout);
  EXPECT_EQ(back.layout().get(), layout.get());
  EXPECT_EQ(static_cast<const float*>(back.stored_bytes().data)[0], 63.0f);
  EXPECT_TRUE(to_layout(back, layout).same(back));
  EXPECT_EQ(layout->conversions.load(), 3);
}

// The conversions pass the gradient through unchanged.
TEST(Tensor, LayoutConversionsPassTheGradientThrough) {
  auto layout = std::make_shared<ReversedLayout>();
  layout->n = 3;
  const Tensor x = from_vector<float>({1, 2, 3}, {3}).set_requires_grad(true);
  const Tensor y = to_plain(to_layout(x, layout));
  EXPECT_EQ(y.grad_fn()->name(), "to_plain");
  sum(mul(y, from_vector<float>({4, 5, 6}, {3}))).backward();
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{4, 5, 6}));
}

// An elementwise op of operands held in one layout runs on the stored bytes
// and leaves its output in it; operands in different layouts are read plain.
TEST(Tensor, ElementwiseOpsOfOneStoredLayoutKeepIt) {
  auto layout = std::make_shared<ReversedLayout>(), other = std::make_shared<ReversedLayout>();
  layout->n = other->n = 4;
  const std::vector<float> a{1, -2, 3, -4}, b{10, 20, 30, 40};
  const Tensor sum_ab = add(reversed(a, layout), reversed(b, layout));
  EXPECT_EQ(sum_ab.layout().get(), layout.get());
  EXPECT_EQ(layout->conversions.load(), 0);
  EXPECT_EQ(to_plain(sum_ab).to_vector<float>(), (std::vector<float>{11, 18, 33, 36}));
  const Tensor masked = relu_backward(reversed(b, layout), reversed(a, layout));
  EXPECT_EQ(masked.layout().get(), layout.get());
  EXPECT_EQ(to_plain(masked).to_vector<float>(), (std::vector<float>{10, 0, 30, 0}));
  EXPECT_EQ(layout->conversions.load(), 2);  // only the two reads of the outputs
  // another layout object (ReversedLayout compares by identity), or a plain operand
  const Tensor mixed = add(reversed(a, layout), reversed(b, other));
  EXPECT_TRUE(mixed.is_plain());
  EXPECT_EQ(mixed.to_vector<float>(), (std::vector<float>{11, 18, 33, 36}));
  const Tensor with_plain = mul(reversed(a, layout), from_vector(b, {4}));
  EXPECT_TRUE(with_plain.is_plain());
  EXPECT_EQ(with_plain.to_vector<float>(), (std::vector<float>{10, -40, 90, -160}));
}

// Only the op that made a tensor sets its layout, on the whole storage, before
// anything else holds it.
TEST(Tensor, OnlyTheOpThatMadeATensorSetsItsLayout) {
  auto layout = std::make_shared<ReversedLayout>();
  layout->n = 16;
  const Tensor fresh = zeros({4, 4});
  EXPECT_NO_THROW(fresh.set_stored_layout(layout));
  const Tensor t = zeros({4, 4});
  const Tensor view = t.reshape({16});
  EXPECT_THROW(t.set_stored_layout(layout), Error);  // the view shares it
  // An empty tensor owns one byte (empty()), which is not its content.
  EXPECT_THROW(empty({0}).set_stored_layout(layout), Error);
}

}  // namespace
}  // namespace idml
