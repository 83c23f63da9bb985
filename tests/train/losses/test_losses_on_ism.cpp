// The losses on ISM (docs/METHOD.md#3-ism, #4-losses): the pairwise ISM equals
// the authors' general form (golden/make_pml_goldens.py), the proxy case is
// its u_b = 0 special case, every loss's gradient matches finite differences
// (through the l2 normalisation too), a batch with duplicates stays finite,
// pair-based losses train the uncertainty head, cosine never reads it, and
// --IPC requirements name the flag and the loss.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/ops.h"
#include "tests/engine/test_util.h"
#include "train/losses/proxy_anchor_loss.h"
#include "train/losses/proxy_nca.h"
#include "train/train_config.h"

namespace idml::train {
namespace {

using testing::host;

const LossKind kPairLosses[] = {LossKind::MultiSimilarity, LossKind::Contrastive, LossKind::Triplet, LossKind::NPair};

std::unique_ptr<Criterion> criterion_of(LossKind kind, Metric metric) {
  CriterionOptions options;
  options.similarity.metric = metric;
  Generator gen(0);
  return make_criterion(kind, 4, 6, options, gen);
}

// Two images of each of 4 classes, in a shuffled order (what --IPC 2 gives NPair; more for the others).
Tensor batch_labels() { return from_vector<int64_t>({2, 0, 1, 0, 3, 2, 1, 3, 0, 2}, {10}); }

TEST(IsmBetweenSamples, EqualsTheAuthorsGeneralForm) {
  std::ifstream in(std::string(IDML_LOSSES_GOLDEN_DIR) + "/pml_goldens.json");
  ASSERT_TRUE(in.good());
  const nlohmann::json g = nlohmann::json::parse(in)["pairwise_ism"];
  const int64_t b = g["shape"][0], d = g["shape"][1];
  const Tensor s = from_vector(g["semantic"].get<std::vector<double>>(), {b, d});
  const Tensor u = from_vector(g["uncertainty"].get<std::vector<double>>(), {b, d});
  const std::vector<double> sim = host(pairwise_similarity({}, s, u));
  testing::expect_near_all(sim, g["similarity"], 1e-12, "pairwise ISM");
  for (int64_t i = 0; i < b; ++i) EXPECT_EQ(sim[static_cast<size_t>(i * b + i)], 1.0) << "a sample with itself";
}

TEST(IsmBetweenSamples, ProxiesAreTheCaseOfZeroUncertainty) {
  Generator gen(1);
  const Tensor s = randn({5, 4}, gen, 0, 1, DType::Float64), u = randn({5, 4}, gen, 0, 1, DType::Float64);
  const Tensor p = randn({3, 4}, gen, 0, 1, DType::Float64);
  testing::expect_near_all(host(introspective_similarity(s, u, p)),
                           host(introspective_similarity(s, u, p, zeros({3, 4}, DType::Float64))), 1e-13, "u_b = 0");
}

TEST(LossesOnIsm, PairLossGradientsMatchFiniteDifferences) {
  Generator gen(2);
  const Tensor y = batch_labels();
  for (LossKind kind : kPairLosses) {
    SCOPED_TRACE(static_cast<int>(kind));
    const auto criterion = criterion_of(kind, Metric::Introspective);
    const Tensor s = testing::random_leaf({10, 6}, gen), u = testing::random_leaf({10, 6}, gen, 0.5);
    const double value = criterion->forward(s, u, y).item();
    EXPECT_GT(value, 0.0) << "a batch whose loss is 0 checks nothing";
    EXPECT_GRADIENTS_MATCH([&](const std::vector<Tensor>& in) { return criterion->forward(in[0], in[1], y); }, {s, u});
    // as in training: both embeddings l2-normalised (--l2-norm 1)
    EXPECT_GRADIENTS_MATCH(
        [&](const std::vector<Tensor>& in) { return criterion->forward(l2_normalize(in[0]), l2_normalize(in[1]), y); },
        {s, u});
  }
}

TEST(LossesOnIsm, ProxyLossGradientsMatchFiniteDifferences) {
  Generator gen(3);
  const Tensor s = testing::random_leaf({6, 4}, gen), u = testing::random_leaf({6, 4}, gen, 0.5);
  const Tensor p = testing::random_leaf({3, 4}, gen);
  const Tensor y = from_vector<int64_t>({0, 1, 2, 0, 2, 2}, {6});
  EXPECT_GRADIENTS_MATCH(
      [&](const std::vector<Tensor>& in) {
        return proxy_nca_from_similarity(introspective_similarity(in[0], in[1], in[2]), y, 32.0);
      },
      {s, u, p});
  ProxyAnchorOptions options;
  options.alpha = 4.0;
  EXPECT_GRADIENTS_MATCH(
      [&](const std::vector<Tensor>& in) { return proxy_anchor_loss(in[0], in[1], y, in[2], options); }, {s, u, p});
}

TEST(LossesOnIsm, DuplicatesInABatchStayFinite) {
  // Rows 0 and 1 are one image twice (d_s = 0 between them): the guard keeps
  // the ISM at 1, their distance at 0 and every gradient finite.
  Generator gen(4);
  std::vector<double> s = randn({6, 5}, gen, 0, 1, DType::Float64).to_vector<double>();
  std::vector<double> u = randn({6, 5}, gen, 0, 1, DType::Float64).to_vector<double>();
  for (int k = 0; k < 5; ++k) s[5 + k] = s[k], u[5 + k] = u[k];
  const Tensor y = from_vector<int64_t>({0, 0, 1, 1, 2, 2}, {6});
  for (LossKind kind : kPairLosses)
    for (Metric metric : {Metric::Introspective, Metric::Cosine}) {
      SCOPED_TRACE(static_cast<int>(kind));
      const Tensor s_leaf = from_vector(s, {6, 5}).set_requires_grad(true);
      const Tensor u_leaf = from_vector(u, {6, 5}).set_requires_grad(true);
      const Tensor loss = criterion_of(kind, metric)->forward(l2_normalize(s_leaf), l2_normalize(u_leaf), y);
      EXPECT_TRUE(std::isfinite(loss.item()));
      loss.backward();
      for (double g : host(s_leaf.grad())) ASSERT_TRUE(std::isfinite(g));
      if (u_leaf.grad().defined())
        for (double g : host(u_leaf.grad())) ASSERT_TRUE(std::isfinite(g));
    }
}

TEST(LossesOnIsm, PairLossesTrainTheUncertaintyHead) {
  // Against a proxy d_u = |u|^2 = 1 is constant (docs/METHOD.md#3-ism); between
  // two samples d_u = 2 - 2 <u_a, u_b> is not, so the head gets a gradient.
  Generator gen(5);
  for (LossKind kind : kPairLosses) {
    SCOPED_TRACE(static_cast<int>(kind));
    const Tensor s = testing::random_leaf({10, 6}, gen), u = testing::random_leaf({10, 6}, gen);
    criterion_of(kind, Metric::Introspective)->forward(l2_normalize(s), l2_normalize(u), batch_labels()).backward();
    double largest = 0;
    for (double g : host(u.grad())) largest = std::max(largest, std::abs(g));
    EXPECT_GT(largest, 1e-4);
  }
}

TEST(LossesOnIsm, CosineReadsNoUncertainty) {
  Generator gen(6);
  const Tensor s = randn({10, 6}, gen, 0, 1, DType::Float64);
  const Tensor nan = full({10, 6}, NAN, DType::Float64);
  for (LossKind kind : kPairLosses)
    EXPECT_TRUE(std::isfinite(criterion_of(kind, Metric::Cosine)->forward(s, nan, batch_labels()).item()));
}

TEST(LossesOnIsm, IsmDiffersFromCosine) {
  Generator gen(7);
  const Tensor s = randn({10, 6}, gen, 0, 1, DType::Float64), u = randn({10, 6}, gen, 0, 1, DType::Float64);
  for (LossKind kind : kPairLosses)
    EXPECT_NE(criterion_of(kind, Metric::Introspective)->forward(s, u, batch_labels()).item(),
              criterion_of(kind, Metric::Cosine)->forward(s, u, batch_labels()).item());
}

TEST(LossesOnIsm, OnlyProxyLossesHoldProxies) {
  for (LossKind kind : {LossKind::ProxyAnchor, LossKind::ProxyNca}) {
    const auto criterion = criterion_of(kind, Metric::Introspective);
    EXPECT_TRUE(criterion->has_proxies());
    EXPECT_EQ(criterion->state_dict_names(), std::vector<std::string>{"proxies"});
    EXPECT_EQ(criterion->kind(), kind);
  }
  for (LossKind kind : kPairLosses) {
    EXPECT_FALSE(criterion_of(kind, Metric::Introspective)->has_proxies());
    EXPECT_TRUE(criterion_of(kind, Metric::Introspective)->state_dict_names().empty());
  }
}

TEST(LossesOnIsm, ProxyNcaDrawsItsProxiesAsPml) {
  Generator gen(8);
  ProxyNca criterion(50, 64, {}, gen);
  const std::vector<float> v = criterion.proxies.to_vector<float>();
  double sum_sq = 0;
  for (float x : v) sum_sq += double(x) * x;
  EXPECT_NEAR(std::sqrt(sum_sq / v.size()), 1.0, 0.05);  // normal(0, 1)
}

TEST(LossesOnIsm, PairLossesNeedBalancedBatches) {
  TrainConfig c;
  c.dataset = data::DatasetId::FashionMnist;
  c.batch_size = 20;
  for (LossKind kind : {LossKind::MultiSimilarity, LossKind::Contrastive, LossKind::Triplet}) {
    c.loss = kind;
    c.images_per_class = 0;
    try {
      validate(c);
      ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("--loss " + choice_name(kind) + " needs --IPC N with N >= 2"),
                std::string::npos)
          << e.what();
    }
    c.images_per_class = 4;
    EXPECT_NO_THROW(validate(c));
  }
  c.loss = LossKind::NPair;
  c.images_per_class = 4;
  EXPECT_THROW(validate(c), Error);
  c.images_per_class = 2;
  EXPECT_NO_THROW(validate(c));
  for (LossKind kind : {LossKind::ProxyAnchor, LossKind::ProxyNca}) {
    c.loss = kind;
    c.images_per_class = 0;
    EXPECT_NO_THROW(validate(c));
    c.images_per_class = 5;
    EXPECT_NO_THROW(validate(c));
  }
  c.proxy_lr_scale = -1;
  EXPECT_THROW(validate(c), Error);
}

}  // namespace
}  // namespace idml::train
