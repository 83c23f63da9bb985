// An index of `idml embed` output for `idml search`: PREFIX.npy (N, D) and
// PREFIX_paths.txt (N lines, the image of each row), and exact search in it:
// the k rows with the highest cosine similarity to each query, found as the
// metrics' kNN does (train/metrics/nearest_neighbours.h): sgemm shortlists,
// exact_dot re-ranks, ties to the lower row, so the result equals brute force.
// Not here: approximate search (hnsw_index.h), the GPU; index.h opens either.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "train/metrics/nearest_neighbours.h"

namespace idml::search {

struct EmbeddingIndex {
  int64_t count = 0, dim = 0;
  std::vector<float> rows;          // (count, dim), L2-normalised
  std::vector<std::string> paths;   // (count)
  std::vector<std::string> classes; // (count): the class folder of each path, "" when unknown
};

// A row of the index and its similarity to a query, in double precision (exact_dot).
struct ScoredRow {
  double similarity;
  int64_t row;
};

// The exact search's order: the higher similarity first, ties to the lower row.
inline bool ranks_before(const ScoredRow& a, const ScoredRow& b) {
  return a.similarity > b.similarity || (a.similarity == b.similarity && a.row < b.row);
}

// Reads and checks PREFIX.npy and PREFIX_paths.txt (2-D, finite, as many
// paths as rows); errors name the file and what was expected.
EmbeddingIndex load_embedding_index(const std::string& prefix);

// The class of each path: its parent folder's name (the layout of CUB and
// image folders), or "" for all when every path shares one folder.
std::vector<std::string> classes_from_paths(const std::vector<std::string>& paths);

// queries (q, d) and rows (n, d), both L2-normalised; 1 <= k <= n.
// Result: n = q query rows, k neighbours each, best first.
metrics::NearestNeighbours search_index(const float* queries, int64_t q, const float* rows, int64_t n, int64_t d,
                                        int64_t k);

// The same by full sort of double-precision inner products, for the tests.
metrics::NearestNeighbours search_index_reference(const float* queries, int64_t q, const float* rows, int64_t n,
                                                  int64_t d, int64_t k);

}  // namespace idml::search
