// Recall@K, R-Precision, MAP@R over neighbour lists; formulas in the header.
// Sums are in double over queries in index order, so results are deterministic.
#include "train/metrics/retrieval_metrics.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "engine/error.h"

namespace idml::metrics {
namespace {

void check_neighbours(const NearestNeighbours& neighbours, const int64_t* labels, const char* metric) {
  IDML_CHECK(labels != nullptr, metric, ": null labels");
  IDML_CHECK(neighbours.n >= 2 && neighbours.k >= 1, metric, ": empty neighbour lists (n = ", neighbours.n,
             ", k = ", neighbours.k, ")");
  IDML_CHECK(static_cast<int64_t>(neighbours.indices.size()) == neighbours.n * neighbours.k, metric,
             ": neighbour list size ", neighbours.indices.size(), " != n * k = ", neighbours.n * neighbours.k);
}

int64_t checked_query_count(const std::vector<int64_t>& same_class, const char* metric) {
  const int64_t queries = count_scored_queries(same_class);
  IDML_CHECK(queries > 0, metric, ": every query is alone in its class; the metric is undefined");
  return queries;
}

void check_covers_max_r(const NearestNeighbours& neighbours, const std::vector<int64_t>& same_class,
                        const char* metric) {
  const int64_t max_r = *std::max_element(same_class.begin(), same_class.end());
  IDML_CHECK(neighbours.k >= max_r, metric, ": needs ", max_r,
             " neighbours per query (the largest class size - 1), got ", neighbours.k);
}

}  // namespace

std::vector<int64_t> same_class_counts(const int64_t* labels, int64_t n) {
  std::unordered_map<int64_t, int64_t> class_size;
  for (int64_t i = 0; i < n; ++i) ++class_size[labels[i]];
  std::vector<int64_t> counts(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) counts[static_cast<size_t>(i)] = class_size[labels[i]] - 1;
  return counts;
}

int64_t count_scored_queries(const std::vector<int64_t>& same_class) {
  return std::count_if(same_class.begin(), same_class.end(), [](int64_t r) { return r >= 1; });
}

double recall_at_k(const NearestNeighbours& neighbours, const int64_t* labels, int64_t k) {
  check_neighbours(neighbours, labels, "recall_at_k");
  IDML_CHECK(k >= 1, "recall_at_k: K must be >= 1, got ", k);
  IDML_CHECK(k <= neighbours.k || neighbours.k == neighbours.n - 1, "recall_at_k: K = ", k, " but only ",
             neighbours.k, " neighbours per query were computed");
  // A lone query's neighbours never share its label, so it is a miss by the loop itself.
  const int64_t depth = std::min(k, neighbours.k);
  int64_t hits = 0;
  for (int64_t q = 0; q < neighbours.n; ++q) {
    const int64_t* row = neighbours.neighbours_of(q);
    for (int64_t i = 0; i < depth; ++i) {
      if (labels[row[i]] == labels[q]) {
        ++hits;
        break;
      }
    }
  }
  return static_cast<double>(hits) / static_cast<double>(neighbours.n);
}

double r_precision(const NearestNeighbours& neighbours, const int64_t* labels) {
  check_neighbours(neighbours, labels, "r_precision");
  const std::vector<int64_t> same_class = same_class_counts(labels, neighbours.n);
  const int64_t queries = checked_query_count(same_class, "r_precision");
  check_covers_max_r(neighbours, same_class, "r_precision");
  double total = 0.0;
  for (int64_t q = 0; q < neighbours.n; ++q) {
    const int64_t r = same_class[static_cast<size_t>(q)];
    if (r == 0) continue;
    const int64_t* row = neighbours.neighbours_of(q);
    int64_t relevant = 0;
    for (int64_t i = 0; i < r; ++i) relevant += labels[row[i]] == labels[q];
    total += static_cast<double>(relevant) / static_cast<double>(r);
  }
  return total / static_cast<double>(queries);
}

double map_at_r(const NearestNeighbours& neighbours, const int64_t* labels) {
  check_neighbours(neighbours, labels, "map_at_r");
  const std::vector<int64_t> same_class = same_class_counts(labels, neighbours.n);
  const int64_t queries = checked_query_count(same_class, "map_at_r");
  check_covers_max_r(neighbours, same_class, "map_at_r");
  double total = 0.0;
  for (int64_t q = 0; q < neighbours.n; ++q) {
    const int64_t r = same_class[static_cast<size_t>(q)];
    if (r == 0) continue;
    const int64_t* row = neighbours.neighbours_of(q);
    int64_t relevant = 0;
    double precision_sum = 0.0;  // sum_{i <= R} P(i) * rel(i)
    for (int64_t i = 0; i < r; ++i) {
      if (labels[row[i]] != labels[q]) continue;
      ++relevant;
      precision_sum += static_cast<double>(relevant) / static_cast<double>(i + 1);
    }
    total += precision_sum / static_cast<double>(r);
  }
  return total / static_cast<double>(queries);
}

}  // namespace idml::metrics
