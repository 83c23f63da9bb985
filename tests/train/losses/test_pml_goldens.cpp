// --metric cosine: every loss and miner of the authors' script equals PML 2.x
// on the same embeddings and labels (golden/make_pml_goldens.py): the loss,
// the gradients, the mined pairs and triplets, in float64 and float32,
// including batches where the miner selects nothing (loss 0, gradient 0) and
// the quirks PML has (Proxy-NCA drops samples whose softmax underflowed;
// Multi-Similarity is 0 on one mined pair of each kind).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/ops.h"
#include "tests/engine/test_util.h"
#include "train/config_enums.h"
#include "train/losses/multi_similarity.h"
#include "train/losses/proxy_nca.h"
#include "train/losses/triplet_margin_miner.h"

namespace idml::train {
namespace {

using testing::host;
using Pairs = std::set<std::pair<int64_t, int64_t>>;
using Triplets = std::set<std::vector<int64_t>>;

const nlohmann::json& goldens() {
  static const nlohmann::json all = [] {
    std::ifstream in(std::string(IDML_LOSSES_GOLDEN_DIR) + "/pml_goldens.json");
    if (!in.good()) throw Error("missing pml_goldens.json in " IDML_LOSSES_GOLDEN_DIR);
    return nlohmann::json::parse(in);
  }();
  return all;
}

Tensor leaf(const nlohmann::json& values, const Shape& shape, DType dtype) {
  return from_vector(values.get<std::vector<double>>(), shape).to(dtype).detach().set_requires_grad(true);
}

const char* dtype_key(DType dtype) { return dtype == DType::Float64 ? "float64" : "float32"; }

// Relative tolerance of values and gradients: float64 agrees to rounding;
// float32 sums in another order than PyTorch.
double tolerance(DType dtype) { return dtype == DType::Float64 ? 1e-9 : 2e-5; }

SimilarityOptions cosine() {
  SimilarityOptions o;
  o.metric = Metric::Cosine;
  return o;
}

Pairs pairs_of(const Tensor& mask) {
  const std::vector<double> v = host(mask);
  const int64_t n = mask.size(1);
  Pairs out;
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] != 0) out.insert({static_cast<int64_t>(i) / n, static_cast<int64_t>(i) % n});
  return out;
}

Pairs pairs_of(const nlohmann::json& list) {
  Pairs out;
  for (const auto& p : list) out.insert({p[0].get<int64_t>(), p[1].get<int64_t>()});
  return out;
}

Tensor mask_of(const Pairs& pairs, int64_t n, DType dtype) {
  std::vector<double> v(static_cast<size_t>(n * n), 0.0);
  for (const auto& [i, j] : pairs) v[static_cast<size_t>(i * n + j)] = 1.0;
  return from_vector(v, {n, n}).to(dtype);
}

void expect_loss_and_gradient(const Tensor& loss, const Tensor& embeddings, const nlohmann::json& expected,
                              DType dtype) {
  const double want = expected["loss"];
  EXPECT_NEAR(loss.item(), want, tolerance(dtype) * (1 + std::abs(want)));
  loss.backward();
  ASSERT_TRUE(embeddings.grad().defined()) << "no gradient reached the embeddings";
  testing::expect_near_all(host(embeddings.grad()), expected["grad_embeddings"], tolerance(dtype), "gradient");
}

// Every case of one loss, in both dtypes.
template <typename Body>
void for_each_case(const std::string& loss, Body body) {
  int cases = 0;
  for (const auto& c : goldens()["cases"]) {
    if (c["loss"] != loss) continue;
    ++cases;
    for (DType dtype : {DType::Float64, DType::Float32}) {
      SCOPED_TRACE(c["name"].get<std::string>() + " " + dtype_key(dtype));
      const int64_t b = c["shape"][0], d = c["shape"][1];
      const Tensor x = leaf(c["embeddings"], {b, d}, dtype);
      const Tensor y = from_vector(c["labels"].get<std::vector<int64_t>>(), {b});
      body(c, x, y, c[dtype_key(dtype)], dtype);
    }
  }
  EXPECT_GT(cases, 1) << "golden cases of " << loss;
}

// The criterion --loss builds with --metric cosine; cosine reads no uncertainty.
Tensor criterion_loss(LossKind kind, const Tensor& x, const Tensor& y) {
  CriterionOptions options;
  options.similarity = cosine();
  Generator gen(0);
  const std::unique_ptr<Criterion> criterion = make_criterion(kind, 8, x.size(1), options, gen);
  return criterion->forward(x, zeros_like(x), y);
}

TEST(PmlGoldens, WereMadeByPml2) {
  EXPECT_EQ(goldens()["pml_version"].get<std::string>().substr(0, 2), "2.");
}

TEST(PmlGoldens, ProxyNca) {
  for_each_case("Proxy_NCA", [](const nlohmann::json& c, const Tensor& x, const Tensor& y,
                                const nlohmann::json& expected, DType dtype) {
    const int64_t classes = c["num_classes"];
    const Tensor p = leaf(c["proxies"], {classes, x.size(1)}, dtype);
    const Tensor loss = proxy_nca_from_similarity(cosine_similarity_matrix(x, p), y, 32.0);
    expect_loss_and_gradient(loss, x, expected, dtype);
    testing::expect_near_all(host(p.grad()), expected["grad_proxies"], tolerance(dtype), "proxies' gradient");
  });
}

TEST(PmlGoldens, ProxyNcaCriterionHoldsTheProxies) {
  const nlohmann::json& c = goldens()["cases"][0];
  ASSERT_EQ(c["loss"], "Proxy_NCA");
  const int64_t b = c["shape"][0], d = c["shape"][1], classes = c["num_classes"];
  ProxyNcaOptions options;
  options.similarity = cosine();
  Generator gen(0);
  ProxyNca criterion(classes, d, options, gen);
  EXPECT_EQ(criterion.state_dict_names(), std::vector<std::string>{"proxies"});
  criterion.proxies.copy_(from_vector(c["proxies"].get<std::vector<double>>(), {classes, d}).to(DType::Float32));
  const Tensor x = leaf(c["embeddings"], {b, d}, DType::Float32);
  const Tensor loss = criterion.forward(x, zeros_like(x), from_vector(c["labels"].get<std::vector<int64_t>>(), {b}));
  expect_loss_and_gradient(loss, x, c["float32"], DType::Float32);
  testing::expect_near_all(host(criterion.proxies.grad()), c["float32"]["grad_proxies"], 2e-5, "proxies' gradient");
}

TEST(PmlGoldens, MultiSimilarityMinerAndLoss) {
  for_each_case("MS", [](const nlohmann::json& c, const Tensor& x, const Tensor& y, const nlohmann::json& expected,
                         DType dtype) {
    const int64_t b = x.size(0);
    if (c.contains("indices")) {  // the loss alone on given pairs
      const auto& t = c["indices"];
      Pairs positive, negative;
      for (size_t i = 0; i < t[0].size(); ++i) positive.insert({t[0][i].get<int64_t>(), t[1][i].get<int64_t>()});
      for (size_t i = 0; i < t[2].size(); ++i) negative.insert({t[2][i].get<int64_t>(), t[3][i].get<int64_t>()});
      const MinedPairs mined{mask_of(positive, b, dtype), mask_of(negative, b, dtype)};
      const Tensor loss = multi_similarity_from_similarity(cosine_similarity_matrix(x, x), mined, {});
      expect_loss_and_gradient(loss, x, expected, dtype);
      return;
    }
    const MinedPairs mined =
        multi_similarity_miner(cosine_similarity_matrix(x, x), pair_masks(y, dtype), /*epsilon=*/0.1);
    EXPECT_EQ(pairs_of(mined.positive), pairs_of(expected["mined"]["positive"]));
    EXPECT_EQ(pairs_of(mined.negative), pairs_of(expected["mined"]["negative"]));
    expect_loss_and_gradient(criterion_loss(LossKind::MultiSimilarity, x, y), x, expected, dtype);
  });
}

TEST(PmlGoldens, Contrastive) {
  for_each_case("Contrastive", [](const nlohmann::json&, const Tensor& x, const Tensor& y,
                                  const nlohmann::json& expected, DType dtype) {
    expect_loss_and_gradient(criterion_loss(LossKind::Contrastive, x, y), x, expected, dtype);
  });
}

TEST(PmlGoldens, TripletMinerAndLoss) {
  for_each_case("Triplet", [](const nlohmann::json&, const Tensor& x, const Tensor& y, const nlohmann::json& expected,
                              DType dtype) {
    const int64_t b = x.size(0);
    const Tensor distance = distance_from_similarity(cosine_similarity_matrix(x, x));
    const std::vector<double> mined = host(semihard_triplet_miner(distance, pair_masks(y, dtype), /*margin=*/0.1));
    Triplets ours, theirs;
    for (size_t i = 0; i < mined.size(); ++i)
      if (mined[i] != 0) ours.insert({static_cast<int64_t>(i) / (b * b), static_cast<int64_t>(i) / b % b,
                                      static_cast<int64_t>(i) % b});
    for (const auto& t : expected["mined"]) theirs.insert(t.get<std::vector<int64_t>>());
    EXPECT_EQ(ours, theirs);
    expect_loss_and_gradient(criterion_loss(LossKind::Triplet, x, y), x, expected, dtype);
  });
}

TEST(PmlGoldens, NPair) {
  for_each_case("NPair", [](const nlohmann::json&, const Tensor& x, const Tensor& y, const nlohmann::json& expected,
                            DType dtype) {
    expect_loss_and_gradient(criterion_loss(LossKind::NPair, x, y), x, expected, dtype);
  });
}

TEST(PmlGoldens, EmptySelectionsGiveZeroAndAZeroGradient) {
  for (const auto& c : goldens()["cases"]) {
    const std::string name = c["name"];
    if (name.find("nothing_mined") == std::string::npos && name.find("no_pairs") == std::string::npos) continue;
    SCOPED_TRACE(name);
    EXPECT_EQ(c["float64"]["loss"].get<double>(), 0.0);
    const int64_t b = c["shape"][0], d = c["shape"][1];
    const Tensor x = leaf(c["embeddings"], {b, d}, DType::Float32);
    const Tensor loss =
        criterion_loss(parse_choice<LossKind>(c["loss"], "--loss"), x, from_vector(c["labels"].get<std::vector<int64_t>>(), {b}));
    EXPECT_EQ(loss.item(), 0.0);
    loss.backward();
    for (double g : host(x.grad())) EXPECT_EQ(g, 0.0);
  }
}

}  // namespace
}  // namespace idml::train
