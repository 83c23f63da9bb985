// The metrics' GEMMs on a CUDA device (the engine's matmul) against the CPU:
// the raw products within float32 error (output filled with junk first, so
// an unwritten one cannot pass), and the kNN and k-means results identical,
// since both settle their shortlists with the same exact host sums (the kNN
// also with queries among a separate gallery). Also with
// TF32 GEMMs switched on globally: the products must still be full float32.
// Skips without a GPU.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "engine/backend.h"
#include "train/metrics/evaluate.h"
#include "train/metrics/inner_products.h"
#include "train/metrics/kmeans.h"
#include "train/metrics/nearest_neighbours.h"
#ifdef IDML_WITH_CUDA
#include "engine/cuda/cuda_backend.h"
#endif

namespace {

using idml::Device;

std::vector<float> clustered_unit_rows(int64_t n, int64_t d, int64_t classes, uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<float> normal;
  std::vector<float> centres(static_cast<size_t>(classes * d)), rows(static_cast<size_t>(n * d));
  for (auto& x : centres) x = normal(generator);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j) rows[size_t(i * d + j)] = centres[size_t((i % classes) * d + j)] + 0.7f * normal(generator);
  idml::metrics::l2_normalize(rows.data(), n, d);
  return rows;
}

class MetricsCuda : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!idml::cuda_available()) GTEST_SKIP() << "no CUDA device";
  }
};

TEST_F(MetricsCuda, InnerProductsMatchTheCpuWithinFloat32Error) {
  const int64_t m = 37, n = 301, d = 129;  // odd sizes: edge tiles
  const auto a = clustered_unit_rows(m + 5, d, 7, 1), b = clustered_unit_rows(n, d, 7, 2);
  const idml::metrics::InnerProducts cpu, gpu(Device::cuda(0));
  std::vector<float> expected(static_cast<size_t>(m * n)), got(static_cast<size_t>(m * n), NAN);
  cpu.multiply(cpu.matrix(a.data(), m + 5, d), 5, m, cpu.matrix(b.data(), n, d), expected.data());
  gpu.multiply(gpu.matrix(a.data(), m + 5, d), 5, m, gpu.matrix(b.data(), n, d), got.data());
  for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], expected[i], 1e-5) << i;  // unit rows: |x.y| <= 1
}

TEST_F(MetricsCuda, NearestNeighboursAndKMeansEqualTheCpu) {
  const int64_t n = 1500, d = 64, classes = 60;
  const auto points = clustered_unit_rows(n, d, classes, 3);
  const auto cpu_knn = idml::metrics::nearest_neighbours(points.data(), n, d, 20, 0, Device::cpu());
  const auto gpu_knn = idml::metrics::nearest_neighbours(points.data(), n, d, 20, 0, Device::cuda(0));
  EXPECT_EQ(gpu_knn.indices, cpu_knn.indices);
  EXPECT_EQ(gpu_knn.similarities, cpu_knn.similarities);
  // Queries among a gallery (In-shop): the first 500 rows searched among the other 1000.
  const float* gallery = points.data() + 500 * d;
  const auto cpu_among = idml::metrics::nearest_neighbours_among(points.data(), 500, gallery, 1000, d, 20, 0, Device::cpu());
  const auto gpu_among =
      idml::metrics::nearest_neighbours_among(points.data(), 500, gallery, 1000, d, 20, 0, Device::cuda(0));
  EXPECT_EQ(gpu_among.indices, cpu_among.indices);
  EXPECT_EQ(gpu_among.similarities, cpu_among.similarities);

  idml::metrics::KMeansOptions options;
  options.clusters = classes;
  options.restarts = 3;
  const auto cpu_clusters = idml::metrics::kmeans(points.data(), n, d, options);
  options.device = Device::cuda(0);
  const auto gpu_clusters = idml::metrics::kmeans(points.data(), n, d, options);
  EXPECT_EQ(gpu_clusters.assignment, cpu_clusters.assignment);
  EXPECT_EQ(gpu_clusters.inertia, cpu_clusters.inertia);
  EXPECT_EQ(gpu_clusters.iterations, cpu_clusters.iterations);
}

#ifdef IDML_WITH_CUDA
TEST_F(MetricsCuda, Tf32GemmsAreSwitchedOffForTheProducts) {
  const int64_t n = 200, d = 256;
  const auto points = clustered_unit_rows(n, d, 10, 4);
  const auto saved = idml::cuda::math_options();
  idml::cuda::MathOptions tf32 = saved;
  tf32.tf32_gemm = true;
  idml::cuda::set_math_options(tf32);
  const idml::metrics::InnerProducts gpu(Device::cuda(0)), cpu;
  std::vector<float> got(static_cast<size_t>(n * n), NAN), expected(static_cast<size_t>(n * n));
  gpu.multiply(gpu.matrix(points.data(), n, d), 0, n, gpu.matrix(points.data(), n, d), got.data());
  const bool restored = idml::cuda::math_options().tf32_gemm;
  idml::cuda::set_math_options(saved);
  cpu.multiply(cpu.matrix(points.data(), n, d), 0, n, cpu.matrix(points.data(), n, d), expected.data());
  EXPECT_TRUE(restored) << "the caller's TF32 setting was not restored";
  double worst = 0.0;
  for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(double(got[i]) - double(expected[i])));
  EXPECT_LT(worst, 1e-5) << "TF32 (error ~1e-3) was used";
}
#endif

}  // namespace
