// Recall@K, R-Precision, MAP@R and per-class Recall@1 over neighbour lists;
// formulas in the header. Sums are in double over queries in index order, so
// results are deterministic.
#include "train/metrics/retrieval_metrics.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "engine/error.h"

namespace idml::metrics {
namespace {

void check_neighbours(const NearestNeighbours& neighbours, const RelevanceLabels& labels, const char* metric) {
  IDML_CHECK(labels.query != nullptr && labels.reference != nullptr, metric, ": null labels");
  IDML_CHECK(neighbours.n >= 1 && neighbours.k >= 1, metric, ": empty neighbour lists (n = ", neighbours.n,
             ", k = ", neighbours.k, ")");
  IDML_CHECK(static_cast<int64_t>(neighbours.indices.size()) == neighbours.n * neighbours.k, metric,
             ": neighbour list size ", neighbours.indices.size(), " != n * k = ", neighbours.n * neighbours.k);
  IDML_CHECK(neighbours.n == labels.queries(), metric, ": ", neighbours.n, " neighbour lists for ", labels.queries(),
             " queries");
}

int64_t checked_query_count(const RelevanceLabels& labels, const char* metric) {
  const int64_t queries = count_scored_queries(labels.relevant);
  IDML_CHECK(queries > 0, metric, ": no query has a relevant sample (every one is alone in its class); the metric is "
             "undefined");
  return queries;
}

void check_covers_max_r(const NearestNeighbours& neighbours, const RelevanceLabels& labels, const char* metric) {
  const int64_t max_r = *std::max_element(labels.relevant.begin(), labels.relevant.end());
  IDML_CHECK(neighbours.k >= max_r, metric, ": needs ", max_r, " neighbours per query (the most relevant samples "
             "of a query), got ", neighbours.k);
}

}  // namespace

RelevanceLabels leave_one_out_labels(const int64_t* labels, int64_t n) {
  RelevanceLabels out;
  out.query = labels;
  out.reference = labels;
  out.candidates = n - 1;
  out.relevant = same_class_counts(labels, n);
  return out;
}

RelevanceLabels query_gallery_labels(const int64_t* query_labels, int64_t queries, const int64_t* gallery_labels,
                                     int64_t gallery) {
  std::unordered_map<int64_t, int64_t> gallery_class_size;
  for (int64_t i = 0; i < gallery; ++i) ++gallery_class_size[gallery_labels[i]];
  RelevanceLabels out;
  out.query = query_labels;
  out.reference = gallery_labels;
  out.candidates = gallery;
  out.relevant.resize(static_cast<size_t>(queries));
  for (int64_t q = 0; q < queries; ++q) {
    const auto found = gallery_class_size.find(query_labels[q]);
    out.relevant[static_cast<size_t>(q)] = found == gallery_class_size.end() ? 0 : found->second;
  }
  return out;
}

std::vector<int64_t> same_class_counts(const int64_t* labels, int64_t n) {
  std::unordered_map<int64_t, int64_t> class_size;
  for (int64_t i = 0; i < n; ++i) ++class_size[labels[i]];
  std::vector<int64_t> counts(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) counts[static_cast<size_t>(i)] = class_size[labels[i]] - 1;
  return counts;
}

int64_t count_scored_queries(const std::vector<int64_t>& relevant) {
  return std::count_if(relevant.begin(), relevant.end(), [](int64_t r) { return r >= 1; });
}

double recall_at_k(const NearestNeighbours& neighbours, const RelevanceLabels& labels, int64_t k) {
  check_neighbours(neighbours, labels, "recall_at_k");
  IDML_CHECK(k >= 1, "recall_at_k: K must be >= 1, got ", k);
  IDML_CHECK(k <= neighbours.k || neighbours.k == labels.candidates, "recall_at_k: K = ", k, " but only ",
             neighbours.k, " neighbours per query were computed");
  // A lone query's neighbours never share its label, so it is a miss by the loop itself.
  const int64_t depth = std::min(k, neighbours.k);
  int64_t hits = 0;
  for (int64_t q = 0; q < neighbours.n; ++q) {
    const int64_t* row = neighbours.neighbours_of(q);
    for (int64_t i = 0; i < depth; ++i) {
      if (labels.reference[row[i]] == labels.query[q]) {
        ++hits;
        break;
      }
    }
  }
  return static_cast<double>(hits) / static_cast<double>(neighbours.n);
}

double r_precision(const NearestNeighbours& neighbours, const RelevanceLabels& labels) {
  check_neighbours(neighbours, labels, "r_precision");
  const int64_t queries = checked_query_count(labels, "r_precision");
  check_covers_max_r(neighbours, labels, "r_precision");
  double total = 0.0;
  for (int64_t q = 0; q < neighbours.n; ++q) {
    const int64_t r = labels.relevant[static_cast<size_t>(q)];
    if (r == 0) continue;
    const int64_t* row = neighbours.neighbours_of(q);
    int64_t relevant = 0;
    for (int64_t i = 0; i < r; ++i) relevant += labels.reference[row[i]] == labels.query[q];
    total += static_cast<double>(relevant) / static_cast<double>(r);
  }
  return total / static_cast<double>(queries);
}

double map_at_r(const NearestNeighbours& neighbours, const RelevanceLabels& labels) {
  check_neighbours(neighbours, labels, "map_at_r");
  const int64_t queries = checked_query_count(labels, "map_at_r");
  check_covers_max_r(neighbours, labels, "map_at_r");
  double total = 0.0;
  for (int64_t q = 0; q < neighbours.n; ++q) {
    const int64_t r = labels.relevant[static_cast<size_t>(q)];
    if (r == 0) continue;
    const int64_t* row = neighbours.neighbours_of(q);
    int64_t relevant = 0;
    double precision_sum = 0.0;  // sum_{i <= R} P(i) * rel(i)
    for (int64_t i = 0; i < r; ++i) {
      if (labels.reference[row[i]] != labels.query[q]) continue;
      ++relevant;
      precision_sum += static_cast<double>(relevant) / static_cast<double>(i + 1);
    }
    total += precision_sum / static_cast<double>(r);
  }
  return total / static_cast<double>(queries);
}

double recall_at_k(const NearestNeighbours& neighbours, const int64_t* labels, int64_t k) {
  IDML_CHECK(labels != nullptr, "recall_at_k: null labels");
  return recall_at_k(neighbours, leave_one_out_labels(labels, neighbours.n), k);
}

double r_precision(const NearestNeighbours& neighbours, const int64_t* labels) {
  IDML_CHECK(labels != nullptr, "r_precision: null labels");
  return r_precision(neighbours, leave_one_out_labels(labels, neighbours.n));
}

double map_at_r(const NearestNeighbours& neighbours, const int64_t* labels) {
  IDML_CHECK(labels != nullptr, "map_at_r: null labels");
  return map_at_r(neighbours, leave_one_out_labels(labels, neighbours.n));
}

std::vector<ClassRecall> recall_at_1_per_class(const NearestNeighbours& neighbours, const RelevanceLabels& labels) {
  check_neighbours(neighbours, labels, "recall_at_1_per_class");
  std::map<int64_t, std::pair<int64_t, int64_t>> per_class;  // label -> (queries, hits)
  for (int64_t q = 0; q < neighbours.n; ++q) {
    auto& [queries, hits] = per_class[labels.query[q]];
    ++queries;
    hits += labels.reference[neighbours.neighbours_of(q)[0]] == labels.query[q];
  }
  std::vector<ClassRecall> out;
  for (const auto& [label, counts] : per_class)
    out.push_back({label, counts.first, static_cast<double>(counts.second) / static_cast<double>(counts.first)});
  return out;
}

}  // namespace idml::metrics
