// ISM training logits (docs/METHOD.md#10-classification) and the cross-entropy: values and gradients
// against PyTorch goldens of the formulas (golden/make_ism_logits.py) in
// float64 and float32, the two-term mixing loss, finite differences, and the
// d_c = 0 guard.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/ops.h"
#include "tests/engine/gradcheck.h"
#include "tests/engine/test_util.h"
#include "train/classify/ism_logits.h"

namespace idml::train::classify {
namespace {

using testing::host;

nlohmann::json load_golden() {
  std::ifstream in(std::string(IDML_CLASSIFY_GOLDEN_DIR) + "/ism_logits.json");
  EXPECT_TRUE(in.good()) << "missing ism_logits.json";
  return nlohmann::json::parse(in);
}

Tensor leaf(const nlohmann::json& values, const Shape& shape, DType dtype) {
  return from_vector(values.get<std::vector<double>>(), shape).to(dtype).detach().set_requires_grad(true);
}

TEST(IsmLogits, ValuesAndGradientsMatchPyTorchInFloat64AndFloat32) {
  const nlohmann::json golden = load_golden();
  for (const auto& [dtype_name, dtype] : {std::pair{"float64", DType::Float64}, std::pair{"float32", DType::Float32}}) {
    const nlohmann::json& g = golden[dtype_name];
    const double tol = dtype == DType::Float64 ? 1e-10 : 2e-5;
    const int64_t n = g["shapes"]["n"], f_dim = g["shapes"]["f"], u_dim = g["shapes"]["u"], c = g["shapes"]["c"];
    const Tensor y = from_vector(g["labels"].get<std::vector<int64_t>>(), {n});
    const Tensor perm = from_vector(g["perm"].get<std::vector<int64_t>>(), {n});
    for (const std::string loss_kind : {"plain", "mixed"}) {
      SCOPED_TRACE(std::string(dtype_name) + " " + loss_kind);
      const Tensor f = leaf(g["inputs"]["f"], {n, f_dim}, dtype), u = leaf(g["inputs"]["u"], {n, u_dim}, dtype);
      const Tensor w = leaf(g["inputs"]["w"], {c, f_dim}, dtype), b = leaf(g["inputs"]["b"], {c}, dtype);
      const Tensor z = ism_logits(f, u, linear(f, w, b), w, b);
      testing::expect_near_all(host(z), g[loss_kind]["ism_logits"], tol, "ism logits");
      const double lam = g["lam"];
      const Tensor loss = loss_kind == "plain"
                              ? cross_entropy(z, y)
                              : add(mul_scalar(cross_entropy(z, y), lam),
                                    mul_scalar(cross_entropy(z, index_select(y, perm)), 1.0 - lam));
      EXPECT_NEAR(loss.item(), g[loss_kind]["loss"].get<double>(), tol);
      loss.backward();
      testing::expect_near_all(host(f.grad()), g[loss_kind]["grad_f"], tol, "grad f");
      testing::expect_near_all(host(u.grad()), g[loss_kind]["grad_u"], tol, "grad u");
      testing::expect_near_all(host(w.grad()), g[loss_kind]["grad_w"], tol, "grad W");
      testing::expect_near_all(host(b.grad()), g[loss_kind]["grad_b"], tol, "grad b");
    }
  }
}

TEST(IsmLogits, ZeroUncertaintyGivesThePlainLogits) {
  Generator gen(3);
  const Tensor f = randn({4, 3}, gen, 0, 1, DType::Float64), w = randn({5, 3}, gen, 0, 1, DType::Float64);
  const Tensor b = randn({5}, gen, 0, 1, DType::Float64);
  const Tensor z = linear(f, w, b);
  const std::vector<double> plain = host(z), ism = host(ism_logits(f, zeros({4, 2}, DType::Float64), z, w, b));
  for (size_t i = 0; i < plain.size(); ++i) EXPECT_NEAR(ism[i], plain[i], 1e-14);
}

TEST(IsmLogits, GradientsMatchFiniteDifferences) {
  Generator gen(4);
  const Tensor f = testing::random_leaf({3, 4}, gen), u = testing::random_leaf({3, 2}, gen, 0.5);
  const Tensor w = testing::random_leaf({2, 4}, gen, 0.7), b = testing::random_leaf({2}, gen, 0.3);
  const auto result = testing::gradcheck(
      [](const std::vector<Tensor>& in) { return ism_logits(in[0], in[1], linear(in[0], in[2], in[3]), in[2], in[3]); },
      {f, u, w, b});
  EXPECT_TRUE(result.ok) << result.report;
}

TEST(IsmLogits, FeatureOnAClassPointStaysFinite) {
  // f = p_0 = W_0 + b_0: d_0 = 0 is floored, exp(-d_u / 0+) = 0, so z'_0 = 1.
  const Tensor w = from_vector<double>({0.5, -0.25, 1.0, 2.0}, {2, 2}).set_requires_grad(true);
  const Tensor b = from_vector<double>({0.25, -1.0}, {2}).set_requires_grad(true);
  const Tensor f = from_vector<double>({0.75, 0.0}, {1, 2}).set_requires_grad(true);
  const Tensor u = from_vector<double>({0.3}, {1, 1}).set_requires_grad(true);
  const Tensor z = ism_logits(f, u, linear(f, w, b), w, b);
  EXPECT_NEAR(host(z)[0], 1.0, 1e-12);
  cross_entropy(z, from_vector<int64_t>({0}, {1})).backward();
  for (const Tensor& t : {f, u, w, b})
    for (double v : host(t.grad())) EXPECT_TRUE(std::isfinite(v));
}

TEST(CrossEntropy, EqualsMinusLogSoftmaxAndRejectsBadShapes) {
  const Tensor z = from_vector<double>({1000.0, 1001.0, 999.0, 0.0, 0.0, 0.0}, {2, 3});
  const double row0 = std::log(std::exp(-1.0) + 1.0 + std::exp(-2.0));  // label 1: lse - 1001
  const double row1 = std::log(3.0);
  EXPECT_NEAR(cross_entropy(z, from_vector<int64_t>({1, 2}, {2})).item(), (row0 + row1) / 2, 1e-12);
  EXPECT_THROW(cross_entropy(z, from_vector<int64_t>({1}, {1})), Error);
  EXPECT_THROW(ism_logits(zeros({2, 3}), zeros({2, 1}), zeros({2, 4}), zeros({4, 2}), zeros({4})), Error);
}

}  // namespace
}  // namespace idml::train::classify
