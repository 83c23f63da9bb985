// Lloyd iterations with sklearn's stopping rule and empty-cluster relocation; see the header.
#include "train/metrics/kmeans_lloyd.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "engine/error.h"
#include "train/metrics/exact_dot.h"

namespace idml::metrics {
namespace {

// New centres from the assignment: sums in double, an empty cluster takes one
// of the points farthest from their (old) centre (sklearn's
// _relocate_empty_clusters_dense), then the means. A cluster left with no
// weight keeps its sum (zero), as sklearn's _average_centers does.
std::vector<float> update_centers(const float* points, int64_t n, int64_t d, int64_t k,
                                  const std::vector<int64_t>& assignment, const std::vector<float>& old_centers) {
  std::vector<double> sums(static_cast<size_t>(k * d), 0.0);
  std::vector<int64_t> counts(static_cast<size_t>(k), 0);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t j = assignment[size_t(i)];
    ++counts[size_t(j)];
    double* sum = sums.data() + j * d;
    const float* x = points + i * d;
    for (int64_t c = 0; c < d; ++c) sum[c] += x[c];
  }
  std::vector<int64_t> empty;
  for (int64_t j = 0; j < k; ++j)
    if (counts[size_t(j)] == 0) empty.push_back(j);
  if (!empty.empty()) {
    std::vector<double> distance(static_cast<size_t>(n));
#pragma omp parallel for schedule(static) if (n * d > 32768)
    for (int64_t i = 0; i < n; ++i)
      distance[size_t(i)] = exact_squared_distance(points + i * d, old_centers.data() + assignment[size_t(i)] * d, d);
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    const size_t far = std::min(empty.size(), order.size());
    std::partial_sort(order.begin(), order.begin() + far, order.end(), [&](int64_t a, int64_t b) {
      return distance[size_t(a)] > distance[size_t(b)] || (distance[size_t(a)] == distance[size_t(b)] && a < b);
    });
    for (size_t e = 0; e < far; ++e) {
      const int64_t i = order[e], to = empty[e], from = assignment[size_t(i)];
      for (int64_t c = 0; c < d; ++c) {
        sums[size_t(from * d + c)] -= points[i * d + c];
        sums[size_t(to * d + c)] = points[i * d + c];
      }
      --counts[size_t(from)];
      counts[size_t(to)] = 1;
    }
  }
  std::vector<float> centers(static_cast<size_t>(k * d));
  for (int64_t j = 0; j < k; ++j) {
    const double scale = counts[size_t(j)] > 0 ? 1.0 / static_cast<double>(counts[size_t(j)]) : 1.0;
    for (int64_t c = 0; c < d; ++c) centers[size_t(j * d + c)] = static_cast<float>(sums[size_t(j * d + c)] * scale);
  }
  return centers;
}

double squared_shift(const std::vector<float>& a, const std::vector<float>& b) {
  double total = 0.0;
  for (size_t i = 0; i < a.size(); ++i) total += (double(a[i]) - double(b[i])) * (double(a[i]) - double(b[i]));
  return total;
}

}  // namespace

void assign_to_nearest(const InnerProducts& products, const InnerProducts::Matrix& matrix,
                       const std::vector<float>& centers, int64_t k, std::vector<int64_t>& assignment) {
  const float* points = matrix.host;
  const int64_t n = matrix.rows, d = matrix.d;
  assignment.resize(static_cast<size_t>(n));
  std::vector<float> center_norms(static_cast<size_t>(k));
  double max_center_norm = 0.0;
  for (int64_t j = 0; j < k; ++j) {
    const double squared = exact_dot(centers.data() + j * d, centers.data() + j * d, d);
    center_norms[size_t(j)] = static_cast<float>(squared);
    max_center_norm = std::max(max_center_norm, std::sqrt(squared));
  }
  const InnerProducts::Matrix center_matrix = products.matrix(centers.data(), k, d);
  const double error_bound = float_dot_error_bound(d);
  constexpr int64_t kBlockFloats = int64_t(16) << 20;  // 64 MiB of scores per block
  const int64_t block_rows = std::min(n, std::max<int64_t>(1, kBlockFloats / k));
  std::vector<float> scores(static_cast<size_t>(block_rows * k));
  for (int64_t start = 0; start < n; start += block_rows) {
    const int64_t rows = std::min(block_rows, n - start);
    products.multiply(matrix, start, rows, center_matrix, scores.data());  // (rows, k) = x . c
#pragma omp parallel for schedule(static) if (rows * k > 32768)
    for (int64_t r = 0; r < rows; ++r) {
      float* row = scores.data() + r * k;
      float best_score = std::numeric_limits<float>::infinity();
      for (int64_t j = 0; j < k; ++j) {
        row[j] = center_norms[size_t(j)] - 2.0f * row[j];
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
      assignment[size_t(start + r)] = best;
    }
  }
}

double absolute_tolerance(const float* points, int64_t n, int64_t d, double tol) {
  if (tol == 0.0) return 0.0;
  std::vector<double> mean(static_cast<size_t>(d), 0.0), variance(static_cast<size_t>(d), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t c = 0; c < d; ++c) mean[size_t(c)] += points[i * d + c];
  for (auto& m : mean) m /= static_cast<double>(n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t c = 0; c < d; ++c) {
      const double diff = points[i * d + c] - mean[size_t(c)];
      variance[size_t(c)] += diff * diff;
    }
  double total = 0.0;
  for (const double v : variance) total += v / static_cast<double>(n);
  return tol * total / static_cast<double>(d);
}

LloydResult lloyd(const InnerProducts& products, const InnerProducts::Matrix& matrix, std::vector<float> centers,
                  int64_t k, int max_iterations, double tolerance) {
  const int64_t n = matrix.rows, d = matrix.d;
  IDML_CHECK(static_cast<int64_t>(centers.size()) == k * d, "lloyd: ", centers.size(), " centre values, expected k x d = ",
             k * d);
  IDML_CHECK(max_iterations >= 1, "lloyd: max_iterations must be >= 1, got ", max_iterations);
  LloydResult result;
  std::vector<int64_t> previous(static_cast<size_t>(n), -1), assignment;
  bool strict = false;
  for (int iteration = 0; iteration < max_iterations; ++iteration) {
    assign_to_nearest(products, matrix, centers, k, assignment);
    std::vector<float> moved = update_centers(matrix.host, n, d, k, assignment, centers);
    const double shift = squared_shift(moved, centers);
    centers = std::move(moved);
    result.iterations = iteration + 1;
    if (assignment == previous) {
      strict = true;
      result.converged = true;
      break;
    }
    if (shift <= tolerance) {
      result.converged = true;
      break;
    }
    previous = assignment;
  }
  if (!strict) assign_to_nearest(products, matrix, centers, k, assignment);
  double inertia = 0.0;
  for (int64_t i = 0; i < n; ++i)
    inertia += exact_squared_distance(matrix.host + i * d, centers.data() + assignment[size_t(i)] * d, d);
  result.inertia = inertia;
  result.assignment = std::move(assignment);
  result.centers = std::move(centers);
  return result;
}

}  // namespace idml::metrics
