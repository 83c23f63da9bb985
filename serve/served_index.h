// The index `idml serve` answers from: the rows of an `idml embed` output
// (PREFIX.npy, PREFIX_paths.txt), searched for a batch of queries at once, and
// the image path and class of each row. The one place the server touches
// train/search/, through its public functions only.
// Not here: building an index, approximate search.
#pragma once

#include <cstdint>
#include <string>

#include "train/metrics/nearest_neighbours.h"
#include "train/search/embedding_index.h"

namespace idml::serve {

class ServedIndex {
 public:
  // Reads and checks PREFIX.npy and PREFIX_paths.txt (errors name the files).
  static ServedIndex open(const std::string& prefix);
  explicit ServedIndex(search::EmbeddingIndex index) : index_(std::move(index)) {}

  int64_t size() const { return index_.count; }
  int64_t dim() const { return index_.dim; }
  std::string kind() const { return "exact"; }

  // queries (q, dim), L2-normalised; 1 <= k <= size(). The k most similar
  // rows of each query, best first; equal to brute force.
  metrics::NearestNeighbours search(const float* queries, int64_t q, int64_t k) const;

  // The image file a row was embedded from, and its class folder ("" when unknown).
  const std::string& path(int64_t row) const { return index_.paths[static_cast<size_t>(row)]; }
  const std::string& class_name(int64_t row) const { return index_.classes[static_cast<size_t>(row)]; }

 private:
  search::EmbeddingIndex index_;
};

}  // namespace idml::serve
