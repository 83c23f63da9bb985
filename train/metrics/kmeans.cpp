// k-means++ seeding + Lloyd iterations with restarts; see the header.
#include "train/metrics/kmeans.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include <cblas.h>

#include "engine/error.h"
#include "train/metrics/exact_dot.h"

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

// k-means++: first centre uniform, each next one x with probability D(x)^2 / sum D^2,
// D(x) = distance to the nearest centre chosen so far.
std::vector<float> seed_centers(const float* points, int64_t n, int64_t d, int64_t k, std::mt19937_64& generator) {
  std::vector<float> centers(static_cast<size_t>(k * d));
  std::vector<double> nearest(static_cast<size_t>(n));
  int64_t chosen = std::min<int64_t>(n - 1, static_cast<int64_t>(uniform(generator) * static_cast<double>(n)));
  for (int64_t c = 0; c < k; ++c) {
    std::copy(points + chosen * d, points + (chosen + 1) * d, centers.begin() + c * d);
    const float* center = points + chosen * d;
#pragma omp parallel for schedule(static) if (n * d > 32768)
    for (int64_t i = 0; i < n; ++i) {
      const double distance = exact_squared_distance(points + i * d, center, d);
      nearest[static_cast<size_t>(i)] = c == 0 ? distance : std::min(nearest[static_cast<size_t>(i)], distance);
    }
    if (c + 1 == k) break;
    const double total = std::accumulate(nearest.begin(), nearest.end(), 0.0);
    if (total <= 0.0) {
      // Every point coincides with a centre (duplicates): take the next index round-robin.
      chosen = (chosen + 1) % n;
      continue;
    }
    const double target = uniform(generator) * total;
    double cumulative = 0.0;
    chosen = -1;
    for (int64_t i = 0; i < n; ++i) {
      if (nearest[static_cast<size_t>(i)] <= 0.0) continue;  // already a centre (or a copy of one)
      chosen = i;  // the last positive one, should rounding leave cumulative <= target
      cumulative += nearest[static_cast<size_t>(i)];
      if (cumulative > target) break;
    }
  }
  return centers;
}

// assignment[i] = argmin_j |x_i - c_j|^2, lower j on ties. sgemm scores
// |c_j|^2 - 2 x_i.c_j (blocks of rows keep the (rows, k) buffer under 64 MiB)
// shortlist the centres within the float error margin of the best score; the
// shortlist is decided by exact_squared_distance, so the assignment does not
// depend on BLAS rounding or thread count. Returns whether any assignment changed.
bool assign_to_nearest(const float* points, int64_t n, int64_t d, const std::vector<float>& centers, int64_t k,
                       std::vector<int64_t>& assignment) {
  std::vector<float> center_norms(static_cast<size_t>(k));
  double max_center_norm = 0.0;
  for (int64_t j = 0; j < k; ++j) {
    const double squared = exact_dot(centers.data() + j * d, centers.data() + j * d, d);
    center_norms[static_cast<size_t>(j)] = static_cast<float>(squared);
    max_center_norm = std::max(max_center_norm, std::sqrt(squared));
  }
  const double error_bound = float_dot_error_bound(d);
  constexpr int64_t kBlockFloats = int64_t(16) << 20;
  const int64_t block_rows = std::min(n, std::max<int64_t>(1, kBlockFloats / k));
  std::vector<float> scores(static_cast<size_t>(block_rows * k));
  bool changed = false;
  for (int64_t start = 0; start < n; start += block_rows) {
    const int64_t rows = std::min(block_rows, n - start);
    // scores (rows, k) = points[start:start+rows] (rows, d) x centers^T (d, k)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows), static_cast<int>(k),
                static_cast<int>(d), 1.0f, points + start * d, static_cast<int>(d), centers.data(),
                static_cast<int>(d), 0.0f, scores.data(), static_cast<int>(k));
    bool block_changed = false;
#pragma omp parallel for schedule(static) reduction(|| : block_changed) if (rows * k * d > 32768)
    for (int64_t r = 0; r < rows; ++r) {
      float* row = scores.data() + r * k;
      float best_score = std::numeric_limits<float>::infinity();
      for (int64_t j = 0; j < k; ++j) {
        row[j] = center_norms[static_cast<size_t>(j)] - 2.0f * row[j];
        best_score = std::min(best_score, row[j]);
      }
      // Error of a score: 2 e |x| |c| from the dot product plus roundings of |c|^2 and the
      // subtraction, all within e max|c| (|x| + max|c|); twice that between two scores.
      const float* point = points + (start + r) * d;
      const double point_norm = std::sqrt(exact_dot(point, point, d));
      const double margin = 4.0 * error_bound * max_center_norm * (point_norm + max_center_norm);
      int64_t best = -1;
      double best_distance = 0.0;
      for (int64_t j = 0; j < k; ++j) {
        if (double(row[j]) > double(best_score) + margin) continue;
        const double distance = exact_squared_distance(point, centers.data() + j * d, d);
        if (best < 0 || distance < best_distance) {
          best = j;
          best_distance = distance;
        }
      }
      int64_t& slot = assignment[static_cast<size_t>(start + r)];
      if (slot != best) {
        slot = best;
        block_changed = true;
      }
    }
    changed = changed || block_changed;
  }
  return changed;
}

// Centres = means of their points; an empty cluster takes the point farthest from
// its current centre (largest first, lower index on ties; each point used once).
void update_centers(const float* points, int64_t n, int64_t d, int64_t k, std::vector<int64_t>& assignment,
                    std::vector<float>& centers) {
  std::vector<double> sums(static_cast<size_t>(k * d), 0.0);
  std::vector<int64_t> counts(static_cast<size_t>(k), 0);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t j = assignment[static_cast<size_t>(i)];
    ++counts[static_cast<size_t>(j)];
    for (int64_t c = 0; c < d; ++c) sums[static_cast<size_t>(j * d + c)] += points[i * d + c];
  }
  std::vector<int64_t> empty;
  for (int64_t j = 0; j < k; ++j) {
    if (counts[static_cast<size_t>(j)] == 0) {
      empty.push_back(j);
      continue;
    }
    for (int64_t c = 0; c < d; ++c) {
      centers[static_cast<size_t>(j * d + c)] =
          static_cast<float>(sums[static_cast<size_t>(j * d + c)] / static_cast<double>(counts[static_cast<size_t>(j)]));
    }
  }
  if (empty.empty()) return;
  std::vector<double> distance(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    distance[static_cast<size_t>(i)] =
        exact_squared_distance(points + i * d, centers.data() + assignment[static_cast<size_t>(i)] * d, d);
  }
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return distance[static_cast<size_t>(a)] > distance[static_cast<size_t>(b)]; });
  for (size_t e = 0; e < empty.size(); ++e) {
    const int64_t point = order[e];
    const int64_t j = empty[e];
    std::copy(points + point * d, points + (point + 1) * d, centers.begin() + j * d);
    assignment[static_cast<size_t>(point)] = j;  // its cluster keeps its other points (or empties, fixed next round)
  }
}

KMeansResult run_once(const float* points, int64_t n, int64_t d, const KMeansOptions& options, uint64_t seed) {
  const int64_t k = options.clusters;
  std::mt19937_64 generator(seed);
  KMeansResult result;
  result.centers = seed_centers(points, n, d, k, generator);
  result.assignment.assign(static_cast<size_t>(n), -1);
  for (int iteration = 0; iteration < options.max_iterations; ++iteration) {
    if (!assign_to_nearest(points, n, d, result.centers, k, result.assignment)) {
      result.converged = true;
      break;
    }
    ++result.iterations;
    update_centers(points, n, d, k, result.assignment, result.centers);
  }
  if (!result.converged) assign_to_nearest(points, n, d, result.centers, k, result.assignment);
  double inertia = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    inertia += exact_squared_distance(points + i * d, result.centers.data() + result.assignment[static_cast<size_t>(i)] * d, d);
  }
  result.inertia = inertia;
  return result;
}

}  // namespace

KMeansResult kmeans(const float* points, int64_t n, int64_t d, const KMeansOptions& options) {
  IDML_CHECK(points != nullptr, "kmeans: null points");
  IDML_CHECK(n >= 1 && d >= 1, "kmeans: need n >= 1 points of dimension d >= 1, got n = ", n, ", d = ", d);
  IDML_CHECK(options.clusters >= 1 && options.clusters <= n, "kmeans: clusters must be in [1, n = ", n, "], got ",
             options.clusters);
  IDML_CHECK(options.restarts >= 1, "kmeans: restarts must be >= 1, got ", options.restarts);
  IDML_CHECK(options.max_iterations >= 1, "kmeans: max_iterations must be >= 1, got ", options.max_iterations);
  KMeansResult best;
  for (int restart = 0; restart < options.restarts; ++restart) {
    KMeansResult result = run_once(points, n, d, options, mix_seed(options.seed * 1000003ull + uint64_t(restart)));
    if (restart == 0 || result.inertia < best.inertia) best = std::move(result);
  }
  return best;
}

}  // namespace idml::metrics
