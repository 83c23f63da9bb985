// Greedy k-means++; see the header. Per centre: cumulative D^2, L draws, one
// (n, L) GEMM of point-candidate inner products, exact settling of the points
// each candidate may capture, potential = sum D^2 - gain.
#include "train/metrics/kmeans_seeding.h"

#include <algorithm>
#include <cmath>

#include "engine/error.h"
#include "train/metrics/exact_dot.h"

namespace idml::metrics {
namespace {

struct Capture {
  double gain = 0.0;                 // sum over captured points of (D^2 - |x - candidate|^2)
  std::vector<int64_t> points;       // captured points, in index order
  std::vector<double> distances;     // their new squared distances
};

}  // namespace

int64_t greedy_seeding_candidates(int64_t k) {
  return 2 + static_cast<int64_t>(std::floor(std::log(static_cast<double>(std::max<int64_t>(k, 1)))));
}

std::vector<int64_t> greedy_kmeans_plusplus(const InnerProducts& products, const InnerProducts::Matrix& matrix,
                                            int64_t k, int64_t candidates, const std::function<double()>& uniform) {
  const float* points = matrix.host;
  const int64_t n = matrix.rows, d = matrix.d;
  IDML_CHECK(k >= 1 && k <= n, "greedy_kmeans_plusplus: k must be in [1, n = ", n, "], got ", k);
  if (candidates <= 0) candidates = greedy_seeding_candidates(k);

  std::vector<double> norms(static_cast<size_t>(n));  // |x_i|
  for (int64_t i = 0; i < n; ++i) norms[size_t(i)] = std::sqrt(exact_dot(points + i * d, points + i * d, d));
  const double error_bound = float_dot_error_bound(d);

  std::vector<int64_t> chosen;
  chosen.reserve(static_cast<size_t>(k));
  chosen.push_back(std::min<int64_t>(n - 1, static_cast<int64_t>(uniform() * static_cast<double>(n))));
  std::vector<double> closest(static_cast<size_t>(n));  // D(x_i)^2
  {
    const float* first = points + chosen[0] * d;
#pragma omp parallel for schedule(static) if (n * d > 32768)
    for (int64_t i = 0; i < n; ++i) closest[size_t(i)] = exact_squared_distance(points + i * d, first, d);
  }

  std::vector<double> cumulative(static_cast<size_t>(n));
  std::vector<int64_t> drawn(static_cast<size_t>(candidates));
  std::vector<float> candidate_rows(static_cast<size_t>(candidates * d));
  std::vector<float> scores(static_cast<size_t>(n * candidates));  // (n, L) inner products
  std::vector<Capture> captures(static_cast<size_t>(candidates));
  for (int64_t c = 1; c < k; ++c) {
    double total = 0.0;  // the potential, summed in index order
    for (int64_t i = 0; i < n; ++i) cumulative[size_t(i)] = total += closest[size_t(i)];
    for (int64_t t = 0; t < candidates; ++t) {
      const double target = uniform() * total;
      const int64_t index = std::lower_bound(cumulative.begin(), cumulative.end(), target) - cumulative.begin();
      drawn[size_t(t)] = std::min(index, n - 1);
      std::copy(points + drawn[size_t(t)] * d, points + (drawn[size_t(t)] + 1) * d, candidate_rows.begin() + t * d);
    }
    // scores (n, L) = points (n, d) x candidates^T: the points are the GEMM's streamed
    // operand (read once per centre; on a GPU they stay resident there).
    products.multiply(matrix, 0, n, products.matrix(candidate_rows.data(), candidates, d), scores.data());

    // One pass over the points in index order (serial: at SOP scale it is ~1% of the
    // GEMM, and it keeps every capture list, and so every sum, in a fixed order).
    for (auto& capture : captures) capture = Capture{};
    for (int64_t i = 0; i < n; ++i) {
      const float* row = scores.data() + i * candidates;
      const double squared_norm = norms[size_t(i)] * norms[size_t(i)];
      for (int64_t t = 0; t < candidates; ++t) {
        // |x - c|^2 = |x|^2 + |c|^2 - 2 x.c; the GEMM's x.c is off by at most e |x| |c|.
        const double candidate_norm = norms[size_t(drawn[size_t(t)])];
        const double approximate = squared_norm + candidate_norm * candidate_norm - 2.0 * double(row[t]);
        const double margin = 4.0 * error_bound * candidate_norm * (norms[size_t(i)] + candidate_norm);
        if (approximate - margin >= closest[size_t(i)]) continue;
        const double distance = exact_squared_distance(points + i * d, candidate_rows.data() + t * d, d);
        if (distance >= closest[size_t(i)]) continue;
        Capture& capture = captures[size_t(t)];
        capture.gain += closest[size_t(i)] - distance;
        capture.points.push_back(i);
        capture.distances.push_back(distance);
      }
    }
    int64_t best = 0;  // the lowest potential total - gain; the first drawn on ties
    for (int64_t t = 1; t < candidates; ++t)
      if (captures[size_t(t)].gain > captures[size_t(best)].gain) best = t;
    const Capture& winner = captures[size_t(best)];
    for (size_t p = 0; p < winner.points.size(); ++p) closest[size_t(winner.points[p])] = winner.distances[p];
    chosen.push_back(drawn[size_t(best)]);
  }
  return chosen;
}

}  // namespace idml::metrics
