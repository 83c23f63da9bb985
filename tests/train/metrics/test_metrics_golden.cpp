// evaluate() against values computed by NumPy / scikit-learn
// (golden/make_metrics_goldens.py): 302 noisy clustered points, 12 labels,
// two of them lone. R@K, RP and MAP@R must match to 1e-6; NMI and F1 are
// checked on sklearn's own KMeans assignment (k-means inits differ), and our
// k-means loosely against sklearn's inertia.
#include <gtest/gtest.h>

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

class MetricsGolden : public ::testing::Test {
 protected:
  void SetUp() override {
    embeddings = idml::npy::read_npy_float32(golden("metrics_embeddings.npy"));
    labels = idml::npy::read_npy_int64(golden("metrics_labels.npy"));
    std::ifstream file(golden("metrics_expected.json"));
    expected = nlohmann::json::parse(file);
    ASSERT_EQ(embeddings.shape.size(), 2u);
    n = embeddings.shape[0];
    d = embeddings.shape[1];
    ASSERT_EQ(labels.values.size(), static_cast<size_t>(n));
  }
  idml::npy::NpyArray<float> embeddings;
  idml::npy::NpyArray<int64_t> labels;
  nlohmann::json expected;
  int64_t n = 0, d = 0;
};

TEST_F(MetricsGolden, RetrievalMetricsMatchNumpy) {
  idml::metrics::EvaluationOptions options;
  options.recall_ks = {1, 2, 4, 8, 16};
  options.compute_clustering = false;
  for (const int64_t block_rows : {0, 7}) {
    options.block_rows = block_rows;
    const auto result = idml::metrics::evaluate(embeddings.values.data(), labels.values.data(), n, d, options);
    for (const auto& [name, value] : result.metrics) EXPECT_NEAR(value, expected.at(name).get<double>(), 1e-6) << name;
    EXPECT_EQ(result.scored_queries, expected.at("scored_queries").get<int64_t>());
  }
}

TEST_F(MetricsGolden, ClusteringScoresMatchSklearnOnTheSameAssignment) {
  const auto assignment = idml::npy::read_npy_int64(golden("metrics_sklearn_assignment.npy"));
  EXPECT_NEAR(idml::metrics::normalized_mutual_info(labels.values.data(), assignment.values.data(), n),
              expected.at("NMI").get<double>(), 1e-12);
  EXPECT_NEAR(idml::metrics::pair_counting_f1(labels.values.data(), assignment.values.data(), n),
              expected.at("F1").get<double>(), 1e-12);
}

TEST_F(MetricsGolden, OurKMeansIsAsGoodAsSklearns) {
  idml::metrics::EvaluationOptions options;
  const auto result = idml::metrics::evaluate(embeddings.values.data(), labels.values.data(), n, d, options);
  // NMI / F1 in the result are those of our own clustering.
  EXPECT_DOUBLE_EQ(result.get("NMI"),
                   idml::metrics::normalized_mutual_info(labels.values.data(), result.cluster_assignment.data(), n));
  // Different inits find different local optima; on these clusters both land close.
  EXPECT_NEAR(result.get("NMI"), expected.at("NMI").get<double>(), 0.05);
  EXPECT_NEAR(result.get("F1"), expected.at("F1").get<double>(), 0.08);

  std::vector<float> normalized = embeddings.values;
  idml::metrics::l2_normalize(normalized.data(), n, d);
  idml::metrics::KMeansOptions kmeans_options;
  kmeans_options.clusters = expected.at("clusters").get<int64_t>();
  const auto clusters = idml::metrics::kmeans(normalized.data(), n, d, kmeans_options);
  EXPECT_LE(clusters.inertia, 1.05 * expected.at("sklearn_inertia").get<double>());
}

}  // namespace
