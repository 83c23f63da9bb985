// k-means: finds well-separated clusters, is deterministic for a seed and
// across thread counts, reports the inertia of what it returns, survives
// duplicates; Lloyd's empty-cluster relocation and sklearn's tolerance rule
// on hand-worked cases.
#include <gtest/gtest.h>
#include <omp.h>

#include <random>
#include <set>
#include <vector>

#include "engine/error.h"
#include "train/metrics/clustering_metrics.h"
#include "train/metrics/kmeans.h"
#include "train/metrics/kmeans_lloyd.h"

namespace {

using idml::metrics::kmeans;
using idml::metrics::KMeansOptions;

struct Blobs {
  std::vector<float> points;
  std::vector<int64_t> labels;
};

// `classes` tight Gaussian blobs (sigma 0.05) around centres spread over [-5, 5]^d.
Blobs make_blobs(int64_t classes, int64_t per_class, int64_t d, uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::uniform_real_distribution<float> spread(-5.0f, 5.0f);
  std::normal_distribution<float> noise(0.0f, 0.05f);
  Blobs blobs;
  for (int64_t c = 0; c < classes; ++c) {
    std::vector<float> center(static_cast<size_t>(d));
    for (auto& x : center) x = spread(generator);
    for (int64_t i = 0; i < per_class; ++i) {
      for (int64_t j = 0; j < d; ++j) blobs.points.push_back(center[static_cast<size_t>(j)] + noise(generator));
      blobs.labels.push_back(c);
    }
  }
  return blobs;
}

TEST(KMeans, FindsWellSeparatedBlobs) {
  const Blobs blobs = make_blobs(8, 25, 5, 11);
  KMeansOptions options;
  options.clusters = 8;
  for (const uint64_t seed : {0, 1, 2}) {
    options.seed = seed;
    const auto result = kmeans(blobs.points.data(), 200, 5, options);
    EXPECT_TRUE(result.converged);
    EXPECT_NEAR(idml::metrics::normalized_mutual_info(blobs.labels.data(), result.assignment.data(), 200), 1.0, 1e-12);
    EXPECT_DOUBLE_EQ(idml::metrics::pair_counting_f1(blobs.labels.data(), result.assignment.data(), 200), 1.0);
  }
}

TEST(KMeans, SameSeedSameResult) {
  const Blobs blobs = make_blobs(6, 20, 4, 5);
  std::mt19937_64 generator(1);
  std::vector<float> noisy = blobs.points;
  std::normal_distribution<float> noise(0.0f, 2.0f);  // overlapping clusters: restarts disagree
  for (auto& x : noisy) x += noise(generator);
  KMeansOptions options;
  options.clusters = 6;
  options.seed = 42;
  const auto first = kmeans(noisy.data(), 120, 4, options);
  const auto second = kmeans(noisy.data(), 120, 4, options);
  EXPECT_EQ(first.assignment, second.assignment);
  EXPECT_EQ(first.centers, second.centers);
  EXPECT_EQ(first.inertia, second.inertia);
  // More restarts can only lower (or keep) the best inertia: restart r's seed does not depend on the count.
  options.restarts = 10;
  EXPECT_LE(kmeans(noisy.data(), 120, 4, options).inertia, first.inertia);
}

TEST(KMeans, SameResultWhateverTheThreadCount) {
  const Blobs blobs = make_blobs(10, 30, 8, 4);
  std::vector<float> noisy = blobs.points;
  std::mt19937_64 generator(6);
  std::normal_distribution<float> noise(0.0f, 3.0f);
  for (auto& x : noisy) x += noise(generator);
  KMeansOptions options;
  options.clusters = 10;
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = kmeans(noisy.data(), 300, 8, options);
  omp_set_num_threads(2);
  const auto two = kmeans(noisy.data(), 300, 8, options);
  omp_set_num_threads(3);
  const auto three = kmeans(noisy.data(), 300, 8, options);
  omp_set_num_threads(threads);
  EXPECT_EQ(one.assignment, two.assignment);
  EXPECT_EQ(one.centers, two.centers);
  EXPECT_EQ(one.inertia, two.inertia);
  EXPECT_EQ(one.assignment, three.assignment);
  EXPECT_EQ(one.inertia, three.inertia);
}

TEST(Lloyd, EmptyClusterTakesTheFarthestPoint) {
  // 1-d points 0, 0.1, 10, 10.1, 20 from centres 0, 5, 10: the first assignment is 0 0 2 2 2 and
  // leaves centre 1 (x = 5) empty. Distances to the assigned centres: 0, 0.01, 0, 0.01, 100, so
  // point 4 (x = 20) moves to cluster 1 in that update (sklearn's relocation): centres become
  // 0.05, 20, 10.05. The next assignment, 0 0 2 2 1, gives the same centres: the shift 0 is
  // within the tolerance 0, so Lloyd stops after 2 iterations (and re-assigns: unchanged).
  const std::vector<float> points = {0, 0.1f, 10, 10.1f, 20};
  const idml::metrics::InnerProducts products;
  const auto result = idml::metrics::lloyd(products, products.matrix(points.data(), 5, 1), {0, 5, 10}, 3, 300, 0.0);
  EXPECT_EQ(result.assignment, (std::vector<int64_t>{0, 0, 2, 2, 1}));
  EXPECT_FLOAT_EQ(result.centers[0], 0.05f);
  EXPECT_FLOAT_EQ(result.centers[1], 20.0f);
  EXPECT_FLOAT_EQ(result.centers[2], 10.05f);
  EXPECT_TRUE(result.converged);
  EXPECT_EQ(result.iterations, 2);
  EXPECT_NEAR(result.inertia, 4 * 0.05 * 0.05, 1e-6);
}

TEST(Lloyd, ToleranceIsRelativeToTheMeanFeatureVariance) {
  // Features (0, 2, 4) and (1, 1, 1): variances 8/3 and 0, mean 4/3; tol 1e-4 -> 1.3333e-4.
  const std::vector<float> points = {0, 1, 2, 1, 4, 1};
  EXPECT_NEAR(idml::metrics::absolute_tolerance(points.data(), 3, 2, 1e-4), 1e-4 * 4.0 / 3.0, 1e-15);
  EXPECT_EQ(idml::metrics::absolute_tolerance(points.data(), 3, 2, 0.0), 0.0);
  // A tolerance larger than any first move stops after one iteration, then re-assigns to the final centres.
  const idml::metrics::InnerProducts products;
  const std::vector<float> line = {0, 1, 2, 10, 11, 12};
  const auto once = idml::metrics::lloyd(products, products.matrix(line.data(), 6, 1), {0, 2}, 2, 300, 1e9);
  EXPECT_EQ(once.iterations, 1);
  EXPECT_TRUE(once.converged);
  // First assignment 0 0 1 1 1 1 (1 ties: lower centre), centres 0.5 and 35/4; the final one:
  EXPECT_EQ(once.assignment, (std::vector<int64_t>{0, 0, 0, 1, 1, 1}));
  EXPECT_FLOAT_EQ(once.centers[1], 8.75f);
}

TEST(KMeans, InertiaIsThatOfTheReturnedAssignment) {
  const Blobs blobs = make_blobs(3, 10, 2, 9);
  KMeansOptions options;
  options.clusters = 3;
  const auto result = kmeans(blobs.points.data(), 30, 2, options);
  double inertia = 0.0;
  for (int64_t i = 0; i < 30; ++i) {
    for (int64_t c = 0; c < 2; ++c) {
      const double diff = blobs.points[static_cast<size_t>(i * 2 + c)] -
                          result.centers[static_cast<size_t>(result.assignment[static_cast<size_t>(i)] * 2 + c)];
      inertia += diff * diff;
    }
  }
  EXPECT_NEAR(result.inertia, inertia, 1e-9);
}

TEST(KMeans, DuplicatePointsAndAsManyClustersAsPoints) {
  // Only two distinct points but three clusters: some cluster must stay (or become) empty-handled.
  const std::vector<float> points = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1};
  KMeansOptions options;
  options.clusters = 3;
  const auto result = kmeans(points.data(), 5, 2, options);
  for (const int64_t a : result.assignment) EXPECT_TRUE(a >= 0 && a < 3);
  EXPECT_NEAR(result.inertia, 0.0, 1e-12);
  options.clusters = 5;
  const auto all = kmeans(points.data(), 5, 2, options);
  EXPECT_NEAR(all.inertia, 0.0, 1e-12);
}

TEST(KMeans, RejectsBadOptions) {
  const std::vector<float> points = {0, 1, 2};
  KMeansOptions options;
  options.clusters = 4;
  EXPECT_THROW(kmeans(points.data(), 3, 1, options), idml::Error);
  options.clusters = 2;
  options.restarts = 0;
  EXPECT_THROW(kmeans(points.data(), 3, 1, options), idml::Error);
}

}  // namespace
