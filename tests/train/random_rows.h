// Test helper: an (n, d) row-major matrix of N(0, 1) floats from
// mt19937_64(seed), the random embeddings of the metrics and search tests.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace idml::testing {

inline std::vector<float> random_rows(int64_t n, int64_t d, uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<float> normal;
  std::vector<float> rows(static_cast<size_t>(n * d));
  for (auto& x : rows) x = normal(generator);
  return rows;
}

}  // namespace idml::testing
