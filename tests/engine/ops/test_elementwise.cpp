// Elementwise ops: forward against a naive per-element reference (float32
// and float64, broadcasting included), backward against finite differences.
// One table entry per op.
#include <gtest/gtest.h>

#include <functional>
#include <limits>

#include "tests/engine/test_util.h"

namespace idml {
namespace {

using testing::away_from_zero;
using testing::host;
using testing::random_shape;

using Scalar1 = std::function<double(double)>;
using Scalar2 = std::function<double(double, double)>;

struct UnaryCase {
  const char* name;
  std::function<Tensor(const Tensor&)> op;
  Scalar1 reference;
  bool positive_input;  // log, sqrt, fractional pow
};

const std::vector<UnaryCase>& unary_cases() {
  static const std::vector<UnaryCase> cases = {
      {"neg", [](const Tensor& x) { return neg(x); }, [](double v) { return -v; }, false},
      {"exp", [](const Tensor& x) { return exp(x); }, [](double v) { return std::exp(v); }, false},
      {"log", [](const Tensor& x) { return log(x); }, [](double v) { return std::log(v); }, true},
      {"log1p", [](const Tensor& x) { return log1p(x); }, [](double v) { return std::log1p(v); }, true},
      {"sqrt", [](const Tensor& x) { return sqrt(x); }, [](double v) { return std::sqrt(v); }, true},
      {"abs", [](const Tensor& x) { return abs(x); }, [](double v) { return std::abs(v); }, false},
      {"relu", [](const Tensor& x) { return relu(x); }, [](double v) { return v > 0 ? v : 0; }, false},
      {"add_scalar", [](const Tensor& x) { return add_scalar(x, 1.5); }, [](double v) { return v + 1.5; }, false},
      {"mul_scalar", [](const Tensor& x) { return mul_scalar(x, -2.5); }, [](double v) { return v * -2.5; }, false},
      {"div_scalar", [](const Tensor& x) { return div_scalar(x, 3.0); }, [](double v) { return v / 3.0; }, false},
      {"rsub_scalar", [](const Tensor& x) { return rsub_scalar(x, 1.0); }, [](double v) { return 1.0 - v; }, false},
      {"pow2", [](const Tensor& x) { return pow_scalar(x, 2); }, [](double v) { return v * v; }, false},
      {"pow3", [](const Tensor& x) { return pow_scalar(x, 3); }, [](double v) { return v * v * v; }, false},
      {"pow_half", [](const Tensor& x) { return pow_scalar(x, 0.5); }, [](double v) { return std::sqrt(v); }, true},
      {"pow_minus1", [](const Tensor& x) { return pow_scalar(x, -1); }, [](double v) { return 1 / v; }, false},
      {"pow_1_7", [](const Tensor& x) { return pow_scalar(x, 1.7); }, [](double v) { return std::pow(v, 1.7); }, true},
      {"clamp", [](const Tensor& x) { return clamp(x, -0.7, 0.9); },
       [](double v) { return std::min(0.9, std::max(-0.7, v)); }, false},
      {"clamp_min", [](const Tensor& x) { return clamp_min(x, 0.5); }, [](double v) { return std::max(0.5, v); }, false},
  };
  return cases;
}

// Inputs for clamp must avoid its bounds as well as 0.
Tensor unary_input(const UnaryCase& c, const Shape& shape, Generator& gen) {
  Tensor x = away_from_zero(shape, gen, 0.2, c.positive_input);
  std::vector<double> v = host(x);
  for (auto& e : v)
    for (double bound : {-0.7, 0.9, 0.5})
      if (std::abs(e - bound) < 0.05) e += 0.1;
  return from_vector(v, shape).set_requires_grad(true);
}

TEST(ElementwiseOps, UnaryForwardMatchesReference) {
  Generator gen(10);
  for (const UnaryCase& c : unary_cases()) {
    for (int trial = 0; trial < 3; ++trial) {
      const Shape shape = random_shape(gen, 1 + trial, 7);
      const Tensor x = unary_input(c, shape, gen).detach();
      std::vector<double> expected = host(x);
      for (auto& v : expected) v = c.reference(v);
      testing::expect_near_all(host(c.op(x)), expected, 1e-14, c.name);
      testing::expect_near_all(host(c.op(x.to(DType::Float32))), expected, 2e-6, c.name);
    }
  }
}

TEST(ElementwiseOps, UnaryBackwardMatchesFiniteDifferences) {
  Generator gen(11);
  for (const UnaryCase& c : unary_cases()) {
    SCOPED_TRACE(c.name);
    const Tensor x = unary_input(c, random_shape(gen, 2, 6), gen);
    EXPECT_GRADIENTS_MATCH([&](const std::vector<Tensor>& in) { return c.op(in[0]); }, {x});
  }
}

struct BinaryCase {
  const char* name;
  std::function<Tensor(const Tensor&, const Tensor&)> op;
  Scalar2 reference;
};

const std::vector<BinaryCase>& binary_cases() {
  static const std::vector<BinaryCase> cases = {
      {"add", [](const Tensor& a, const Tensor& b) { return add(a, b); }, [](double x, double y) { return x + y; }},
      {"sub", [](const Tensor& a, const Tensor& b) { return sub(a, b); }, [](double x, double y) { return x - y; }},
      {"mul", [](const Tensor& a, const Tensor& b) { return mul(a, b); }, [](double x, double y) { return x * y; }},
      {"div", [](const Tensor& a, const Tensor& b) { return div(a, b); }, [](double x, double y) { return x / y; }},
      {"maximum", [](const Tensor& a, const Tensor& b) { return maximum(a, b); },
       [](double x, double y) { return std::max(x, y); }},
      {"lerp", [](const Tensor& a, const Tensor& b) { return lerp(a, b, 0.3); },
       [](double x, double y) { return x + 0.3 * (y - x); }},
      {"lerp_high", [](const Tensor& a, const Tensor& b) { return lerp(a, b, 0.8); },
       [](double x, double y) { return y - (y - x) * 0.2; }},
  };
  return cases;
}

// Shape pairs that broadcast: equal, row, column, scalar, leading dims.
std::vector<std::pair<Shape, Shape>> broadcast_pairs() {
  return {{{3, 5}, {3, 5}}, {{3, 5}, {5}},       {{3, 5}, {3, 1}},       {{4, 1, 3}, {2, 1}},
          {{1}, {2, 3}},    {{2, 3, 4}, {}},     {{1, 3, 1, 2}, {2, 1, 5, 1}}, {{1, 1}, {1, 1}}};
}

// Naive broadcasting reference over the output's flat index.
std::vector<double> broadcast_reference(const Tensor& a, const Tensor& b, const Scalar2& f) {
  const Shape out = broadcast_shapes(a.shape(), b.shape(), "test");
  const std::vector<double> av = host(a), bv = host(b);
  std::vector<double> result(shape_numel(out));
  auto offset = [&](const Shape& s, int64_t flat) {
    int64_t off = 0, stride = 1;
    for (int64_t d = static_cast<int64_t>(out.size()) - 1; d >= 0; --d) {
      const int64_t coord = flat % out[d];
      flat /= out[d];
      const int64_t sd = d - static_cast<int64_t>(out.size() - s.size());
      if (sd >= 0) {
        off += (s[sd] == 1 ? 0 : coord) * stride;
        stride *= s[sd];
      }
    }
    return off;
  };
  for (int64_t i = 0; i < static_cast<int64_t>(result.size()); ++i)
    result[i] = f(av[offset(a.shape(), i)], bv[offset(b.shape(), i)]);
  return result;
}

TEST(ElementwiseOps, BinaryForwardMatchesReferenceWithBroadcasting) {
  Generator gen(12);
  for (const BinaryCase& c : binary_cases()) {
    for (const auto& [sa, sb] : broadcast_pairs()) {
      SCOPED_TRACE(std::string(c.name) + " " + shape_str(sa) + " " + shape_str(sb));
      const Tensor a = away_from_zero(sa, gen).detach(), b = away_from_zero(sb, gen).detach();
      const std::vector<double> expected = broadcast_reference(a, b, c.reference);
      testing::expect_near_all(host(c.op(a, b)), expected, 1e-14, c.name);
      testing::expect_near_all(host(c.op(a.to(DType::Float32), b.to(DType::Float32))), expected, 2e-6, c.name);
    }
  }
}

TEST(ElementwiseOps, BinaryBackwardMatchesFiniteDifferences) {
  Generator gen(13);
  for (const BinaryCase& c : binary_cases()) {
    for (const auto& [sa, sb] : broadcast_pairs()) {
      SCOPED_TRACE(std::string(c.name) + " " + shape_str(sa) + " " + shape_str(sb));
      const Tensor a = away_from_zero(sa, gen), b = away_from_zero(sb, gen);
      EXPECT_GRADIENTS_MATCH([&](const std::vector<Tensor>& in) { return c.op(in[0], in[1]); }, (std::vector<Tensor>{a, b}));
    }
  }
}

TEST(ElementwiseOps, LargeBroadcastUsesTheParallelPathCorrectly) {
  Generator gen(14);
  const Tensor a = randn({64, 33, 40}, gen), b = randn({33, 1}, gen);
  const std::vector<double> expected = broadcast_reference(a, b, [](double x, double y) { return x * y; });
  testing::expect_near_all(host(mul(a, b)), expected, 1e-6, "mul");
}

TEST(ElementwiseOps, MaximumSplitsTheGradientOnTies) {
  const Tensor a = from_vector<double>({1, 2}, {2}).set_requires_grad(true);
  const Tensor b = from_vector<double>({1, 3}, {2}).set_requires_grad(true);
  sum(maximum(a, b)).backward();
  EXPECT_EQ(a.grad().to_vector<double>(), (std::vector<double>{0.5, 0}));
  EXPECT_EQ(b.grad().to_vector<double>(), (std::vector<double>{0.5, 1}));
}

TEST(ElementwiseOps, WhereSelectsAndRoutesGradients) {
  Generator gen(15);
  const Tensor cond = from_vector<double>({1, 0, 0, 1, 1, 0}, {2, 3});
  const Tensor a = testing::random_leaf({2, 3}, gen), b = testing::random_leaf({3}, gen);
  const std::vector<double> out = host(where(cond, a, b)), av = host(a), bv = host(b);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(out[i], host(cond)[i] != 0 ? av[i] : bv[i % 3]);
  EXPECT_GRADIENTS_MATCH([&](const std::vector<Tensor>& in) { return where(cond, in[0], in[1]); },
                         (std::vector<Tensor>{a, b}));
}

TEST(ElementwiseOps, ComparisonsGiveMasks) {
  const Tensor a = from_vector<float>({1, 2, 3}, {3}), b = from_vector<float>({2, 2, 2}, {3});
  EXPECT_EQ(eq(a, b).to_vector<float>(), (std::vector<float>{0, 1, 0}));
  EXPECT_EQ(gt(a, b).to_vector<float>(), (std::vector<float>{0, 0, 1}));
  EXPECT_EQ(lt(a, b).to_vector<float>(), (std::vector<float>{1, 0, 0}));
}

TEST(ElementwiseOps, ExpandAndSumToShapeAreAdjoint) {
  Generator gen(16);
  const Tensor x = testing::random_leaf({3, 1}, gen);
  EXPECT_EQ(expand(x, {2, 3, 4}).shape(), (Shape{2, 3, 4}));
  EXPECT_GRADIENTS_MATCH([](const std::vector<Tensor>& in) { return expand(in[0], {2, 3, 4}); }, {x});
  const Tensor y = testing::random_leaf({2, 3, 4}, gen);
  EXPECT_GRADIENTS_MATCH([](const std::vector<Tensor>& in) { return sum_to_shape(in[0], {3, 1}); }, {y});
  EXPECT_THROW(expand(x, {2, 2}), Error);  // 3 cannot become 2
}

TEST(ElementwiseOps, ErrorsNameTheOpAndShapes) {
  try {
    add(zeros({2, 3}), zeros({4}));
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("add"), std::string::npos) << m;
    EXPECT_NE(m.find("[2, 3]"), std::string::npos) << m;
    EXPECT_NE(m.find("[4]"), std::string::npos) << m;
  }
  EXPECT_THROW(add(zeros({2}), zeros({2}, DType::Float64)), Error);
  EXPECT_THROW(exp(arange(3)), Error);
  EXPECT_THROW(clamp(zeros({2}), 1, 0), Error);
}

}  // namespace
}  // namespace idml
