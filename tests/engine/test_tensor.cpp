// Tensor handles, factories, views and host transfers.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "engine/generator.h"
#include "engine/backend.h"
#include "engine/ops.h"
#include "tests/engine/test_util.h"

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
  void to_plain(const void* stored, void* plain) const override {
    ++conversions;
    const float* from = static_cast<const float*>(stored);
    float* to = static_cast<float*>(plain);
    for (int i = 0; i < n; ++i) to[i] = from[n - 1 - i];
  }
  int n = 0;
  mutable std::atomic<int> conversions{0};
};

// A storage left in a kernel's own layout is converted once, on the first
// plain access from any thread, and stays plain.
TEST(Tensor, StoredLayoutIsConvertedOnceOnFirstPlainAccess) {
  const Tensor t = empty({64});
  auto layout = std::make_shared<ReversedLayout>();
  layout->n = 64;
  float* stored = static_cast<float*>(t.stored_bytes().data);
  for (int i = 0; i < 64; ++i) stored[i] = static_cast<float>(63 - i);
  t.set_stored_layout(layout);
  EXPECT_EQ(t.stored_bytes().layout.get(), layout.get());
  EXPECT_EQ(narrow(t, 0, 0, 2).shape(), (Shape{2}));  // a view reads plain, converting the storage
  EXPECT_EQ(t.stored_bytes().layout, nullptr);
  std::vector<std::thread> readers;
  std::vector<float> first(8);
  for (int r = 0; r < 8; ++r) readers.emplace_back([&, r] { first[r] = t.data<float>()[r]; });
  for (std::thread& r : readers) r.join();
  EXPECT_EQ(layout->conversions.load(), 1);
  for (int r = 0; r < 8; ++r) EXPECT_EQ(first[r], static_cast<float>(r));
  EXPECT_EQ(t.to_vector<float>()[63], 63.0f);
  EXPECT_EQ(layout->conversions.load(), 1);
}

// A tensor of `values` (plain order) held reversed in `layout`.
Tensor reversed(const std::vector<float>& values, const std::shared_ptr<ReversedLayout>& layout) {
  const Tensor t = empty({static_cast<int64_t>(values.size())});
  float* stored = static_cast<float*>(t.stored_bytes().data);
  for (size_t i = 0; i < values.size(); ++i) stored[i] = values[values.size() - 1 - i];
  t.set_stored_layout(layout);
  return t;
}

// An elementwise op of operands held in one layout runs on the stored bytes
// and leaves its output in it; operands in different layouts are read plain.
TEST(Tensor, ElementwiseOpsOfOneStoredLayoutKeepIt) {
  auto layout = std::make_shared<ReversedLayout>(), other = std::make_shared<ReversedLayout>();
  layout->n = other->n = 4;
  const std::vector<float> a{1, -2, 3, -4}, b{10, 20, 30, 40};
  const Tensor sum_ab = add(reversed(a, layout), reversed(b, layout));
  EXPECT_EQ(sum_ab.stored_bytes().layout.get(), layout.get());
  EXPECT_EQ(layout->conversions.load(), 0);
  EXPECT_EQ(sum_ab.to_vector<float>(), (std::vector<float>{11, 18, 33, 36}));
  const Tensor masked = relu_backward(reversed(b, layout), reversed(a, layout));
  EXPECT_EQ(masked.to_vector<float>(), (std::vector<float>{10, 0, 30, 0}));
  EXPECT_EQ(layout->conversions.load(), 2);  // only the two reads of the outputs
  // another layout object (ReversedLayout compares by identity), or a plain operand
  const Tensor mixed = add(reversed(a, layout), reversed(b, other));
  EXPECT_EQ(mixed.stored_bytes().layout, nullptr);
  EXPECT_EQ(mixed.to_vector<float>(), (std::vector<float>{11, 18, 33, 36}));
  const Tensor with_plain = mul(reversed(a, layout), from_vector(b, {4}));
  EXPECT_EQ(with_plain.stored_bytes().layout, nullptr);
  EXPECT_EQ(with_plain.to_vector<float>(), (std::vector<float>{10, -40, 90, -160}));
}

TEST(Tensor, OnlyAWholeStorageCarriesAStoredLayout) {
  const Tensor t = zeros({4, 4});
  EXPECT_NO_THROW(t.reshape({16}).set_stored_layout(nullptr));  // a reshape covers the whole storage
  // An empty tensor owns one byte (empty()), which is not its content.
  EXPECT_THROW(empty({0}).set_stored_layout(std::make_shared<ReversedLayout>()), Error);
}

}  // namespace
}  // namespace idml
