// Restarts of greedy k-means++ + Lloyd, lowest inertia kept; see the header.
#include "train/metrics/kmeans.h"

#include <chrono>
#include <random>

#include "engine/error.h"
#include "train/metrics/kmeans_lloyd.h"
#include "train/metrics/kmeans_seeding.h"
#include "train/stopwatch.h"

namespace idml::metrics {
namespace {

// Uniform double in [0, 1) from the top 53 bits (portable, unlike std::uniform_real_distribution).
double uniform(std::mt19937_64& generator) { return static_cast<double>(generator() >> 11) * 0x1.0p-53; }

// splitmix64: a well-mixed seed per restart from (seed, restart).
uint64_t mix_seed(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace

KMeansResult kmeans(const float* points, int64_t n, int64_t d, const KMeansOptions& options) {
  IDML_CHECK(points != nullptr, "kmeans: null points");
  IDML_CHECK(n >= 1 && d >= 1, "kmeans: need n >= 1 points of dimension d >= 1, got n = ", n, ", d = ", d);
  IDML_CHECK(options.clusters >= 1 && options.clusters <= n, "kmeans: clusters must be in [1, n = ", n, "], got ",
             options.clusters);
  IDML_CHECK(options.restarts >= 1, "kmeans: restarts must be >= 1, got ", options.restarts);
  IDML_CHECK(options.max_iterations >= 1, "kmeans: max_iterations must be >= 1, got ", options.max_iterations);
  IDML_CHECK(options.tolerance >= 0.0, "kmeans: tolerance must not be negative, got ", options.tolerance);
  const int64_t k = options.clusters;
  const InnerProducts products(options.device);
  const InnerProducts::Matrix matrix = products.matrix(points, n, d);
  const double tolerance = absolute_tolerance(points, n, d, options.tolerance);

  KMeansResult best;
  int total_iterations = 0;
  double seeding_seconds = 0.0, lloyd_seconds = 0.0;
  for (int restart = 0; restart < options.restarts; ++restart) {
    std::mt19937_64 generator(mix_seed(options.seed * 1000003ull + uint64_t(restart)));
    auto start = std::chrono::steady_clock::now();
    const std::vector<int64_t> seeds =
        greedy_kmeans_plusplus(products, matrix, k, options.seeding_candidates, [&] { return uniform(generator); });
    std::vector<float> centers(static_cast<size_t>(k * d));
    for (int64_t j = 0; j < k; ++j)
      std::copy(points + seeds[size_t(j)] * d, points + (seeds[size_t(j)] + 1) * d, centers.begin() + j * d);
    seeding_seconds += train::seconds_since(start);
    start = std::chrono::steady_clock::now();
    LloydResult run = lloyd(products, matrix, std::move(centers), k, options.max_iterations, tolerance);
    lloyd_seconds += train::seconds_since(start);
    total_iterations += run.iterations;
    if (restart == 0 || run.inertia < best.inertia) {
      best.assignment = std::move(run.assignment);
      best.centers = std::move(run.centers);
      best.inertia = run.inertia;
      best.iterations = run.iterations;
      best.converged = run.converged;
      best.restart = restart;
    }
  }
  best.total_iterations = total_iterations;
  best.seeding_seconds = seeding_seconds;
  best.lloyd_seconds = lloyd_seconds;
  return best;
}

}  // namespace idml::metrics
