// Benchmark helper: n random unit rows of dimension d (N(0, 1) floats from
// mt19937_64(0), l2-normalised), the synthetic embeddings of the metrics and
// search benchmarks (their cost does not depend on the values).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "train/metrics/evaluate.h"

namespace idml::bench {

inline std::vector<float> random_unit_rows(int64_t n, int64_t d) {
  std::mt19937_64 generator(0);
  std::normal_distribution<float> normal;
  std::vector<float> rows(static_cast<size_t>(n * d));
  for (auto& x : rows) x = normal(generator);
  idml::metrics::l2_normalize(rows.data(), n, d);
  return rows;
}

}  // namespace idml::bench
