// Our k-means against scikit-learn's own spread (golden/make_metrics_goldens.py):
// on three cases (302 points / 12 labels; CUB-like, 50 overlapping classes of
// 20; SOP-like, 400 classes of 2-12 points), sklearn's KMeans (before 1.4) was
// run with random_state 0-7 and n_init 1 and 10. With its defaults (10
// restarts) and seeds 0-7: every run's NMI and F1 at least sklearn's worst;
// the median NMI and F1 inside sklearn's n_init = 10 range (up to 0.01 above
// it), the median inertia at most sklearn's n_init = 10 worst.
// The plain k-means++ with 5 restarts that this replaced scored NMI 0.855 / F1
// 0.496 where sklearn scored 0.894-0.907 / 0.615-0.657 on a SOP-like case.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "train/metrics/clustering_metrics.h"
#include "train/metrics/evaluate.h"
#include "train/metrics/kmeans.h"
#include "io/npy.h"

namespace {

std::string golden(const std::string& name) { return std::string(IDML_TRAIN_GOLDEN_DIR) + "/" + name; }

struct Range {
  double low = 0, high = 0;
};

Range range_of(const nlohmann::json& runs, const std::string& key, int n_init) {
  Range r{1e300, -1e300};
  for (const auto& run : runs) {
    if (n_init != 0 && run.at("n_init").get<int>() != n_init) continue;
    r.low = std::min(r.low, run.at(key).get<double>());
    r.high = std::max(r.high, run.at(key).get<double>());
  }
  return r;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t m = values.size() / 2;
  return values.size() % 2 ? values[m] : 0.5 * (values[m - 1] + values[m]);
}

class KMeansGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(KMeansGolden, InsideSklearnsSpreadOverSeeds) {
  const std::string name = GetParam();
  std::ifstream file(golden("kmeans_sklearn_spread.json"));
  const nlohmann::json spread = nlohmann::json::parse(file).at(name);
  const std::string stem = name == "blobs302" ? "metrics" : "kmeans_" + name;
  const auto embeddings = idml::npy::read_npy_float32(golden(stem + "_embeddings.npy"));
  const auto labels = idml::npy::read_npy_int64(golden(stem + "_labels.npy"));
  const int64_t n = embeddings.shape[0], d = embeddings.shape[1];
  ASSERT_EQ(n, spread.at("n").get<int64_t>());

  std::vector<float> points = embeddings.values;
  idml::metrics::l2_normalize(points.data(), n, d);  // as evaluate() and the generator do
  const Range nmi = range_of(spread.at("runs"), "NMI", 0), f1 = range_of(spread.at("runs"), "F1", 0);
  const Range inertia = range_of(spread.at("runs"), "inertia", 10);
  idml::metrics::KMeansOptions options;
  options.clusters = spread.at("clusters").get<int64_t>();
  std::vector<double> nmis, f1s, inertias;
  for (uint64_t seed = 0; seed < 8; ++seed) {  // as many seeds as sklearn's random_state 0-7
    options.seed = seed;
    const auto result = idml::metrics::kmeans(points.data(), n, d, options);
    nmis.push_back(idml::metrics::normalized_mutual_info(labels.values.data(), result.assignment.data(), n));
    f1s.push_back(idml::metrics::pair_counting_f1(labels.values.data(), result.assignment.data(), n));
    inertias.push_back(result.inertia);
    // Every seed as good as sklearn's worst run (n_init 1 or 10).
    EXPECT_GE(nmis.back(), nmi.low) << name << " seed " << seed;
    EXPECT_GE(f1s.back(), f1.low) << name << " seed " << seed;
  }
  const Range nmi10 = range_of(spread.at("runs"), "NMI", 10), f110 = range_of(spread.at("runs"), "F1", 10);
  // The typical run (median over seeds) inside sklearn's n_init = 10 range, or above it by
  // at most 0.01 (better local optima are no defect; far above would mean a different metric).
  EXPECT_GE(median(nmis), nmi10.low) << name;
  EXPECT_LE(median(nmis), nmi10.high + 0.01) << name;
  EXPECT_GE(median(f1s), f110.low) << name;
  EXPECT_LE(median(f1s), f110.high + 0.01) << name;
  EXPECT_LE(median(inertias), inertia.high * (1 + 1e-5)) << name;  // sklearn sums float32: allow its rounding
  std::printf("%s: median over seeds 0-7: NMI %.4f (sklearn n_init 10: %.4f-%.4f)  F1 %.4f (%.4f-%.4f)  "
              "inertia %.3f (%.3f-%.3f)\n", name.c_str(), median(nmis), nmi10.low, nmi10.high, median(f1s), f110.low,
              f110.high, median(inertias), inertia.low, inertia.high);
}

INSTANTIATE_TEST_SUITE_P(Cases, KMeansGolden, ::testing::Values("blobs302", "cub_like", "sop_like"));

}  // namespace
