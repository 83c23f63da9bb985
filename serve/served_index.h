// The index `idml serve` answers from: an `idml embed` index opened through
// train/search/index.h (HNSW when the index has one and --method allows it,
// exact search otherwise), searched for a batch of queries at once, and the
// image path and class of each row. The one place the server touches
// train/search/.
// Not here: building an index, how queries are embedded (the record's
// preprocessing and weights: train/cli/index_queries.h).
#pragma once

#include <cstdint>
#include <string>

#include "train/metrics/nearest_neighbours.h"
#include "train/search/index.h"

namespace idml::serve {

class ServedIndex {
 public:
  explicit ServedIndex(search::Index index) : index_(std::move(index)) {}

  int64_t size() const { return index_.count(); }
  int64_t dim() const { return index_.dim(); }
  // "exact" or "hnsw"; ef(): HNSW's candidates per query (0 for exact).
  std::string kind() const { return index_.method() == search::SearchMethod::hnsw ? "hnsw" : "exact"; }
  int64_t ef() const { return index_.ef(); }
  const search::Index& opened() const { return index_; }

  // queries (q, dim), L2-normalised; 1 <= k <= size(). The k most similar
  // rows of each query, best first (exact: equal to brute force; HNSW: each
  // query walks the graph alone), so an answer does not depend on its batch.
  metrics::NearestNeighbours search(const float* queries, int64_t q, int64_t k) const {
    return index_.search(queries, q, k);
  }

  // The image file a row was embedded from, and its class folder ("" when unknown).
  const std::string& path(int64_t row) const { return index_.paths()[static_cast<size_t>(row)]; }
  const std::string& class_name(int64_t row) const { return index_.classes()[static_cast<size_t>(row)]; }

 private:
  search::Index index_;
};

}  // namespace idml::serve
