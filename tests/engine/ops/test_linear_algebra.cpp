// matmul with all transpose combinations, linear, transpose.
#include <gtest/gtest.h>

#include "engine/cpu/reference.h"
#include "tests/engine/test_util.h"

namespace idml {
namespace {

using testing::host;

constexpr Transpose kEveryTranspose[] = {Transpose::none, Transpose::second, Transpose::first, Transpose::both};

TEST(LinearAlgebraOps, MatmulMatchesNaiveReferenceForAllTransposes) {
  Generator gen(30);
  for (int trial = 0; trial < 4; ++trial) {
    const int64_t m = 1 + gen.below(9), n = 1 + gen.below(9), k = 1 + gen.below(9);
    for (Transpose t : kEveryTranspose) {
      const bool ta = transposes_first(t), tb = transposes_second(t);
      const Tensor a = randn(ta ? Shape{k, m} : Shape{m, k}, gen, 0, 1, DType::Float64);
      const Tensor b = randn(tb ? Shape{n, k} : Shape{k, n}, gen, 0, 1, DType::Float64);
      std::vector<double> expected(m * n);
      cpu::reference::matmul(t, m, n, k, host(a).data(), host(b).data(), expected.data());
      testing::expect_near_all(host(matmul(a, b, t)), expected, 1e-13, "matmul f64");
      testing::expect_near_all(host(matmul(a.to(DType::Float32), b.to(DType::Float32), t)), expected, 1e-5,
                               "matmul f32");
    }
  }
}

TEST(LinearAlgebraOps, MatmulBackwardMatchesFiniteDifferences) {
  Generator gen(31);
  for (Transpose t : kEveryTranspose) {
    const bool ta = transposes_first(t), tb = transposes_second(t);
    SCOPED_TRACE(std::to_string(ta) + std::to_string(tb));
    const Tensor a = testing::random_leaf(ta ? Shape{4, 3} : Shape{3, 4}, gen);
    const Tensor b = testing::random_leaf(tb ? Shape{5, 4} : Shape{4, 5}, gen);
    EXPECT_GRADIENTS_MATCH([&](const std::vector<Tensor>& in) { return matmul(in[0], in[1], t); },
                           (std::vector<Tensor>{a, b}));
  }
}

TEST(LinearAlgebraOps, LinearIsXWTransposedPlusBias) {
  Generator gen(32);
  const Tensor x = testing::random_leaf({1, 6}, gen);  // batch 1
  const Tensor w = testing::random_leaf({3, 6}, gen);
  const Tensor b = testing::random_leaf({3}, gen);
  std::vector<double> expected(3);
  cpu::reference::matmul(Transpose::second, 1, 3, 6, host(x).data(), host(w).data(), expected.data());
  for (int i = 0; i < 3; ++i) expected[i] += host(b)[i];
  testing::expect_near_all(host(linear(x, w, b)), expected, 1e-13, "linear");
  EXPECT_GRADIENTS_MATCH([](const std::vector<Tensor>& in) { return linear(in[0], in[1], in[2]); },
                         (std::vector<Tensor>{x, w, b}));
  EXPECT_THROW(linear(x, testing::random_leaf({3, 5}, gen), b), Error);
}

TEST(LinearAlgebraOps, TransposeAndItsGradient) {
  Generator gen(33);
  const Tensor x = testing::random_leaf({37, 45}, gen);
  const std::vector<double> v = host(x), t = host(transpose(x));
  for (int64_t r = 0; r < 37; ++r)
    for (int64_t c = 0; c < 45; ++c) ASSERT_EQ(t[c * 37 + r], v[r * 45 + c]);
  const Tensor small = testing::random_leaf({3, 5}, gen);
  EXPECT_GRADIENTS_MATCH([](const std::vector<Tensor>& in) { return transpose(in[0]); }, {small});
}

TEST(LinearAlgebraOps, ShapeErrorsNameTheOperands) {
  try {
    matmul(zeros({2, 3}), zeros({4, 5}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("matmul"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("[4, 5]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(matmul(zeros({2}), zeros({2, 2})), Error);
}

}  // namespace
}  // namespace idml
