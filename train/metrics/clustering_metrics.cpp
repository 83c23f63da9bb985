// NMI and pair-counting F1 from a sparse contingency table; formulas in the header.
#include "train/metrics/clustering_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "engine/error.h"

namespace idml::metrics {
namespace {

// Counts of each distinct value of `ids` (order irrelevant to the callers).
std::vector<int64_t> group_sizes(std::vector<int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  std::vector<int64_t> sizes;
  for (size_t i = 0; i < ids.size();) {
    size_t j = i;
    while (j < ids.size() && ids[j] == ids[i]) ++j;
    sizes.push_back(static_cast<int64_t>(j - i));
    i = j;
  }
  return sizes;
}

struct Contingency {
  std::vector<int64_t> class_sizes;    // a_i
  std::vector<int64_t> cluster_sizes;  // b_j
  // Non-zero cells n_ij with their margins a_i, b_j.
  struct Cell {
    int64_t count, class_size, cluster_size;
  };
  std::vector<Cell> cells;
};

Contingency contingency_table(const int64_t* labels_true, const int64_t* labels_pred, int64_t n, const char* metric) {
  IDML_CHECK(n >= 1, metric, ": need at least one point");
  IDML_CHECK(labels_true != nullptr && labels_pred != nullptr, metric, ": null labels");
  Contingency table;
  table.class_sizes = group_sizes(std::vector<int64_t>(labels_true, labels_true + n));
  table.cluster_sizes = group_sizes(std::vector<int64_t>(labels_pred, labels_pred + n));

  // Margins per point, looked up by sorting points by class (then by cluster).
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  auto margin_of = [&](const int64_t* ids) {
    std::vector<int64_t> margin(static_cast<size_t>(n));
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return ids[a] < ids[b]; });
    for (size_t i = 0; i < order.size();) {
      size_t j = i;
      while (j < order.size() && ids[order[j]] == ids[order[i]]) ++j;
      for (size_t t = i; t < j; ++t) margin[static_cast<size_t>(order[t])] = static_cast<int64_t>(j - i);
      i = j;
    }
    return margin;
  };
  const std::vector<int64_t> class_size = margin_of(labels_true);
  const std::vector<int64_t> cluster_size = margin_of(labels_pred);

  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return labels_true[a] < labels_true[b] || (labels_true[a] == labels_true[b] && labels_pred[a] < labels_pred[b]);
  });
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && labels_true[order[j]] == labels_true[order[i]] &&
           labels_pred[order[j]] == labels_pred[order[i]]) {
      ++j;
    }
    const int64_t point = order[i];
    table.cells.push_back({static_cast<int64_t>(j - i), class_size[static_cast<size_t>(point)],
                           cluster_size[static_cast<size_t>(point)]});
    i = j;
  }
  return table;
}

double entropy(const std::vector<int64_t>& sizes, double total) {
  double h = 0.0;
  for (const int64_t size : sizes) {
    const double p = static_cast<double>(size) / total;
    h -= p * std::log(p);
  }
  return h;
}

double pairs(int64_t count) { return 0.5 * static_cast<double>(count) * static_cast<double>(count - 1); }

}  // namespace

double normalized_mutual_info(const int64_t* labels_true, const int64_t* labels_pred, int64_t n) {
  const Contingency table = contingency_table(labels_true, labels_pred, n, "normalized_mutual_info");
  if (table.class_sizes.size() == 1 && table.cluster_sizes.size() == 1) return 1.0;
  const double total = static_cast<double>(n);
  double mutual_info = 0.0;
  for (const auto& cell : table.cells) {
    const double count = static_cast<double>(cell.count);
    mutual_info += count / total *
                   std::log(total * count / (static_cast<double>(cell.class_size) * static_cast<double>(cell.cluster_size)));
  }
  mutual_info = std::max(mutual_info, 0.0);
  const double mean_entropy = 0.5 * (entropy(table.class_sizes, total) + entropy(table.cluster_sizes, total));
  return mutual_info / std::max(mean_entropy, std::numeric_limits<double>::epsilon());
}

double pair_counting_f1(const int64_t* labels_true, const int64_t* labels_pred, int64_t n) {
  const Contingency table = contingency_table(labels_true, labels_pred, n, "pair_counting_f1");
  double true_positives = 0.0;
  for (const auto& cell : table.cells) true_positives += pairs(cell.count);
  if (true_positives == 0.0) return 0.0;
  double same_cluster = 0.0, same_class = 0.0;
  for (const int64_t size : table.cluster_sizes) same_cluster += pairs(size);
  for (const int64_t size : table.class_sizes) same_class += pairs(size);
  const double precision = true_positives / same_cluster;
  const double recall = true_positives / same_class;
  return 2.0 * precision * recall / (precision + recall);
}

}  // namespace idml::metrics
