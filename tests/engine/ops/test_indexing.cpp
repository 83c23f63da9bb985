// concat, narrow, index_select, gather, one_hot, l2_normalize,
// reshape/clone gradients.
#include <gtest/gtest.h>

#include "tests/engine/test_util.h"

namespace idml {
namespace {

using In = std::vector<Tensor>;
using testing::host;

TEST(IndexingOps, ConcatAlongEachDim) {
  const Tensor a = from_vector<double>({1, 2, 3, 4}, {2, 2});
  const Tensor b = from_vector<double>({5, 6}, {2, 1});
  EXPECT_EQ(host(concat({a, b}, 1)), (std::vector<double>{1, 2, 5, 3, 4, 6}));
  EXPECT_EQ(host(concat({a, a}, 0)), (std::vector<double>{1, 2, 3, 4, 1, 2, 3, 4}));
  EXPECT_THROW(concat({a, b}, 0), Error);
  Generator gen(70);
  const Tensor x = testing::random_leaf({2, 3, 2}, gen), y = testing::random_leaf({2, 1, 2}, gen);
  EXPECT_GRADIENTS_MATCH([](const In& in) { return concat({in[0], in[1], in[0]}, 1); }, (In{x, y}));
}

TEST(IndexingOps, NarrowCopiesASlice) {
  const Tensor a = from_vector<double>({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(host(narrow(a, 1, 1, 2)), (std::vector<double>{2, 3, 5, 6}));
  EXPECT_EQ(host(narrow(a, 0, 1, 1)), (std::vector<double>{4, 5, 6}));
  EXPECT_THROW(narrow(a, 1, 2, 2), Error);
  Generator gen(71);
  const Tensor x = testing::random_leaf({3, 4}, gen);
  EXPECT_GRADIENTS_MATCH([](const In& in) { return narrow(in[0], 1, 1, 2); }, {x});
  EXPECT_GRADIENTS_MATCH([](const In& in) { return narrow(in[0], 0, 0, 1); }, {x});
}

TEST(IndexingOps, IndexSelectWithRepeatsAccumulatesGradients) {
  const Tensor x = from_vector<double>({1, 2, 3, 4, 5, 6}, {3, 2}).set_requires_grad(true);
  const Tensor idx = from_vector<int64_t>({2, 0, 2}, {3});
  EXPECT_EQ(host(index_select(x, idx)), (std::vector<double>{5, 6, 1, 2, 5, 6}));
  sum(index_select(x, idx)).backward();
  EXPECT_EQ(host(x.grad()), (std::vector<double>{1, 1, 0, 0, 2, 2}));
  Generator gen(72);
  const Tensor y = testing::random_leaf({4, 2, 3}, gen);
  EXPECT_GRADIENTS_MATCH([&](const In& in) { return index_select(in[0], from_vector<int64_t>({3, 1, 1}, {3})); },
                         {y});
  EXPECT_THROW(index_select(x, from_vector<int64_t>({3}, {1})), Error);
  EXPECT_THROW(index_select(x, from_vector<int64_t>({-1}, {1})), Error);
  EXPECT_THROW(index_select(x, from_vector<double>({0}, {1})), Error);
}

TEST(IndexingOps, GatherTakesOneColumnPerRow) {
  const Tensor x = from_vector<double>({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor idx = from_vector<int64_t>({2, 0, 1, 1}, {2, 2});
  EXPECT_EQ(host(gather(x, idx)), (std::vector<double>{3, 1, 5, 5}));
  Generator gen(73);
  const Tensor y = testing::random_leaf({2, 3}, gen);
  EXPECT_GRADIENTS_MATCH([&](const In& in) { return gather(in[0], idx); }, {y});
  EXPECT_THROW(gather(x, from_vector<int64_t>({3, 0}, {2, 1})), Error);
}

TEST(IndexingOps, OneHot) {
  const Tensor oh = one_hot(from_vector<int64_t>({1, 0, 2}, {3}), 3);
  EXPECT_EQ(oh.to_vector<float>(), (std::vector<float>{0, 1, 0, 1, 0, 0, 0, 0, 1}));
  EXPECT_THROW(one_hot(from_vector<int64_t>({3}, {1}), 3), Error);
}

TEST(IndexingOps, L2NormalizeFollowsTheReferenceFormula) {
  const Tensor x = from_vector<double>({3, 4, 0, 0}, {2, 2});
  const std::vector<double> y = host(l2_normalize(x));
  EXPECT_NEAR(y[0], 0.6, 1e-12);
  EXPECT_NEAR(y[1], 0.8, 1e-12);
  EXPECT_EQ(y[2], 0.0);  // the 1e-12 keeps a zero row finite
  Generator gen(74);
  const Tensor z = testing::random_leaf({3, 5}, gen);
  EXPECT_GRADIENTS_MATCH([](const In& in) { return l2_normalize(in[0]); }, {z});
}

TEST(IndexingOps, ReshapeCloneAndCastAreDifferentiable) {
  Generator gen(75);
  const Tensor x = testing::random_leaf({2, 6}, gen);
  EXPECT_GRADIENTS_MATCH([](const In& in) { return mul(in[0].reshape({3, 4}), in[0].reshape({3, 4})); }, {x});
  EXPECT_GRADIENTS_MATCH([](const In& in) { return exp(in[0].clone()); }, {x});
  const Tensor f = randn({4}, gen).set_requires_grad(true);
  sum(mul_scalar(f.to(DType::Float64), 2.0)).backward();
  EXPECT_EQ(f.grad().dtype(), DType::Float32);
  EXPECT_EQ(f.grad().to_vector<float>(), std::vector<float>(4, 2.0f));
}

}  // namespace
}  // namespace idml
