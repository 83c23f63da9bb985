// Synthetic embeddings with the structure of a trained model's: unit rows in
// clusters (classes). Row i belongs to a cluster drawn uniformly from
// `clusters`; its vector is normalise(centre + spread * g), with the centres
// unit N(0, I) draws from mt19937_64(centre_seed) and g ~ N(0, I / d) from
// mt19937_64(row_seed). spread 1: a row's cosine to its centre is about 0.71,
// to another row of its cluster about 0.5, to other clusters about 0.
// Shared by the search tests and bench/train/bench_hnsw.cpp; queries are more
// rows of the same centres under another row_seed.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "train/metrics/evaluate.h"

namespace idml::testing {

struct Clusters {
  int64_t count = 100;  // clusters
  float spread = 1.0f;
  uint64_t centre_seed = 0;
};

inline std::vector<float> clustered_unit_rows(int64_t n, int64_t d, const Clusters& clusters, uint64_t row_seed) {
  std::mt19937_64 centre_generator(clusters.centre_seed), row_generator(row_seed);
  std::normal_distribution<float> normal;
  std::vector<float> centres(static_cast<size_t>(clusters.count * d));
  for (float& x : centres) x = normal(centre_generator);
  metrics::l2_normalize(centres.data(), clusters.count, d);
  std::uniform_int_distribution<int64_t> pick(0, clusters.count - 1);
  const float scale = clusters.spread / std::sqrt(static_cast<float>(d));
  std::vector<float> rows(static_cast<size_t>(n * d));
  for (int64_t i = 0; i < n; ++i) {
    const float* centre = centres.data() + pick(row_generator) * d;
    for (int64_t c = 0; c < d; ++c) rows[static_cast<size_t>(i * d + c)] = centre[c] + scale * normal(row_generator);
  }
  metrics::l2_normalize(rows.data(), n, d);
  return rows;
}

}  // namespace idml::testing
