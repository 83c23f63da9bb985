// ISM and the Proxy-Anchor loss: values and gradients against PyTorch goldens
// of the method's formulas (docs/METHOD.md#3-ism, #4-losses) (golden/make_loss_goldens.py), finite differences,
// the reference's zero-gradient quirk of the uncertainty head, and edge cases.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/ops.h"
#include "tests/engine/test_util.h"
#include "train/losses/proxy_anchor_loss.h"

namespace idml::train {
namespace {

using testing::host;

nlohmann::json load_goldens() {
  std::ifstream in(std::string(IDML_TRAIN_GOLDEN_DIR) + "/loss_goldens.json");
  EXPECT_TRUE(in.good()) << "missing loss_goldens.json";
  return nlohmann::json::parse(in);
}

Tensor tensor_of(const nlohmann::json& values, const Shape& shape, DType dtype) {
  return from_vector(values.get<std::vector<double>>(), shape).to(dtype).detach().set_requires_grad(true);
}

TEST(ProxyAnchorLoss, MatchesPyTorchGoldensInFloat64AndFloat32) {
  for (const auto& c : load_goldens()) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const int64_t b = c["shape"][0], d = c["shape"][1], classes = c["shape"][2];
    for (DType dtype : {DType::Float64, DType::Float32}) {
      const double tol = dtype == DType::Float64 ? 1e-9 : 2e-4;
      const Tensor s = tensor_of(c["semantic"], {b, d}, dtype);
      const Tensor u = tensor_of(c["uncertainty"], {b, d}, dtype);
      const Tensor p = tensor_of(c["proxies"], {classes, d}, dtype);
      const Tensor y = from_vector(c["labels"].get<std::vector<int64_t>>(), {b});
      ProxyAnchorOptions options;
      options.metric = parse_metric(c["metric"]);
      const bool normalise = c["normalise"];
      const Tensor s_in = normalise ? l2_normalize(s) : s, u_in = normalise ? l2_normalize(u) : u;
      const Tensor loss = proxy_anchor_loss(s_in, u_in, y, p, options);
      EXPECT_NEAR(loss.item(), c["loss"].get<double>(), tol * c["loss"].get<double>());
      if (options.metric == Metric::Introspective)
        testing::expect_near_all(host(introspective_similarity(s_in, u_in, p)), c["similarity"], tol, "similarity");
      loss.backward();
      testing::expect_near_all(host(s.grad()), c["grad_semantic"], tol, "grad semantic");
      testing::expect_near_all(host(p.grad()), c["grad_proxies"], tol, "grad proxies");
      if (u.grad().defined()) testing::expect_near_all(host(u.grad()), c["grad_uncertainty"], tol, "grad u");
    }
  }
}

TEST(ProxyAnchorLoss, GradientsMatchFiniteDifferences) {
  Generator gen(5);
  const Tensor s = testing::random_leaf({5, 4}, gen), u = testing::random_leaf({5, 4}, gen, 0.5);
  const Tensor p = testing::random_leaf({3, 4}, gen, 0.8);
  const Tensor y = from_vector<int64_t>({0, 1, 1, 0, 1}, {5});
  ProxyAnchorOptions options;
  options.alpha = 4.0;  // gentler exponentials keep the finite differences well conditioned
  EXPECT_GRADIENTS_MATCH([&](const std::vector<Tensor>& in) { return proxy_anchor_loss(in[0], in[1], y, in[2], options); },
                         {s, u, p});
  EXPECT_GRADIENTS_MATCH([&](const std::vector<Tensor>& in) { return introspective_similarity(in[0], in[1], in[2]); },
                         {s, u, p});
}

TEST(ProxyAnchorLoss, UncertaintyHeadGetsNoGradientWhenL2Normalised) {
  // docs/METHOD.md#3-ism, reference behaviour: |u| = 1 makes d_u constant.
  Generator gen(6);
  const Tensor s = testing::random_leaf({6, 8}, gen), u = testing::random_leaf({6, 8}, gen);
  const Tensor p = testing::random_leaf({4, 8}, gen);
  const Tensor y = from_vector<int64_t>({0, 1, 2, 3, 0, 1}, {6});
  proxy_anchor_loss(l2_normalize(s), l2_normalize(u), y, p).backward();
  for (double g : host(u.grad())) EXPECT_LT(std::abs(g), 1e-9);
  double largest = 0;
  for (double g : host(s.grad())) largest = std::max(largest, std::abs(g));
  EXPECT_GT(largest, 1e-3);
}

TEST(ProxyAnchorLoss, SampleEqualToItsProxyStaysFinite) {
  const Tensor s = from_vector<double>({0.6, 0.8}, {1, 2}).set_requires_grad(true);
  const Tensor u = from_vector<double>({1.0, 0.0}, {1, 2}).set_requires_grad(true);
  const Tensor p = from_vector<double>({0.6, 0.8, -1.0, 0.0}, {2, 2}).set_requires_grad(true);
  const Tensor sim = introspective_similarity(s, u, p);
  EXPECT_NEAR(host(sim)[0], 1.0, 1e-12);  // d_s = 0: full similarity
  const Tensor loss = proxy_anchor_loss(s, u, from_vector<int64_t>({0}, {1}), p);
  loss.backward();
  EXPECT_TRUE(std::isfinite(loss.item()));
  for (double g : host(s.grad())) EXPECT_TRUE(std::isfinite(g));
  for (double g : host(p.grad())) EXPECT_TRUE(std::isfinite(g));
}

TEST(ProxyAnchorLoss, CosineMetricIsThePlainProxyAnchorBaseline) {
  const Tensor s = from_vector<double>({1, 0, 0, 1}, {2, 2});
  const Tensor p = from_vector<double>({2, 0, 0, 3}, {2, 2});
  const Tensor y = from_vector<int64_t>({0, 1}, {2});
  ProxyAnchorOptions options;
  options.metric = Metric::Cosine;
  // cos = identity: pos term log(1 + e^{-32*0.9}), neg term log(1 + e^{32*0.1}), each averaged over 2 classes.
  const double expected = std::log1p(std::exp(-28.8)) + std::log1p(std::exp(3.2));
  EXPECT_NEAR(proxy_anchor_loss(s, zeros({2, 2}, DType::Float64), y, p, options).item(), expected, 1e-12);
}

TEST(ProxyAnchorLoss, BadArgumentsAreErrors) {
  EXPECT_THROW(parse_metric("euclid"), Error);
  const Tensor s = zeros({2, 3}), p = ones({4, 3});
  EXPECT_THROW(proxy_anchor_loss(s, zeros({2, 2}), from_vector<int64_t>({0, 1}, {2}), p), Error);
  EXPECT_THROW(proxy_anchor_loss(s, s, from_vector<int64_t>({0, 4}, {2}), p), Error);  // label >= C
  EXPECT_THROW(proxy_anchor_loss(s, s, from_vector<int64_t>({0}, {1}), p), Error);
}

}  // namespace
}  // namespace idml::train
