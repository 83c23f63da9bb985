// Blocked exact kNN: for each block of query rows, S = Q R^T by sgemm
// (rows x references; InnerProducts: the engine's GEMM on the CPU, the engine's matmul on a GPU), then per row a bounded heap finds the k best sgemm values and
// the few candidates near the k-th are re-ranked exactly (exact_dot.h), so the
// result does not depend on BLAS rounding or thread count. See the header.
#include "train/metrics/nearest_neighbours.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "engine/error.h"
#include "train/metrics/exact_dot.h"
#include "train/metrics/inner_products.h"

namespace idml::metrics {
namespace {

struct Candidate {
  float similarity;
  int64_t index;
};

struct ExactCandidate {
  double similarity;
  int64_t index;
};

// Total order "a ranks before b": higher similarity, then lower index.
// (A function object, not a function, so that the heap and sort inline it.)
struct RanksBefore {
  template <typename C>
  bool operator()(const C& a, const C& b) const {
    return a.similarity > b.similarity || (a.similarity == b.similarity && a.index < b.index);
  }
};
constexpr RanksBefore ranks_before{};

struct Scratch {
  std::vector<Candidate> heap;
  std::vector<ExactCandidate> candidates;
};

// The k best of row[0..n) excluding `self` (-1: none), written best first, in two passes:
// 1. a bounded heap over the sgemm similarities finds t, the k-th best of them
//    (the heap's front is the worst kept candidate);
// 2. every j with sgemm similarity >= t - margin is re-scored with exact_dot
//    and the k best by (exact similarity desc, index asc) are kept.
// margin = 2 e |query| max_j |x_j|, e = float_dot_error_bound(d): if sgemm is
// off by at most e|x||y|, the k exact best all have sgemm value >= t - margin,
// so the result is the exact top k whatever sgemm's rounding.
void select_top_k(const float* row, int64_t n, int64_t self, int64_t k, double margin, const float* query,
                  const float* points, int64_t d, Scratch& scratch, int64_t* out_indices, float* out_similarities) {
  auto& heap = scratch.heap;
  heap.clear();
  for (int64_t j = 0; j < n; ++j) {
    if (j == self) continue;
    const Candidate candidate{row[j], j};
    if (static_cast<int64_t>(heap.size()) < k) {
      heap.push_back(candidate);
      std::push_heap(heap.begin(), heap.end(), ranks_before);
    } else if (ranks_before(candidate, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), ranks_before);
      heap.back() = candidate;
      std::push_heap(heap.begin(), heap.end(), ranks_before);
    }
  }
  const double threshold = double(heap.front().similarity) - margin;
  auto& candidates = scratch.candidates;
  candidates.clear();
  for (int64_t j = 0; j < n; ++j) {
    if (j != self && double(row[j]) >= threshold) candidates.push_back({0.0, j});
  }
  // Scattered rows: this loop waits on memory, so fetch the next candidate's row ahead.
  for (size_t c = 0; c < candidates.size(); ++c) {
    if (c + 1 < candidates.size()) {
      const char* next = reinterpret_cast<const char*>(points + candidates[c + 1].index * d);
      for (int64_t byte = 0; byte < d * int64_t(sizeof(float)); byte += 64) __builtin_prefetch(next + byte);
    }
    candidates[c].similarity = exact_dot(query, points + candidates[c].index * d, d);
  }
  std::partial_sort(candidates.begin(), candidates.begin() + k, candidates.end(), ranks_before);
  for (int64_t i = 0; i < k; ++i) {
    out_indices[i] = candidates[static_cast<size_t>(i)].index;
    out_similarities[i] = static_cast<float>(candidates[static_cast<size_t>(i)].similarity);
  }
}

// leave_one_out: the queries are the references, each excluded from its own list; among_references: separate sets.
enum class Search { leave_one_out, among_references };

void check_arguments(const float* queries, int64_t queries_count, const float* references, int64_t references_count,
                     int64_t d, int64_t k, Search search) {
  const bool leave_one_out = search == Search::leave_one_out;
  IDML_CHECK(queries != nullptr && references != nullptr, "nearest_neighbours: null points");
  if (leave_one_out) {
    IDML_CHECK(queries_count >= 2, "nearest_neighbours: need at least 2 points, got ", queries_count);
  } else {
    IDML_CHECK(queries_count >= 1 && references_count >= 1, "nearest_neighbours: need at least 1 query and 1 reference, got ",
               queries_count, " and ", references_count);
  }
  IDML_CHECK(d >= 1, "nearest_neighbours: embedding dimension must be >= 1, got ", d);
  const int64_t candidates = leave_one_out ? references_count - 1 : references_count;
  IDML_CHECK(k >= 1 && k <= candidates, "nearest_neighbours: k must be in [1, ", candidates, "] (",
             leave_one_out ? "n - 1" : "the number of references", "), got ", k);
}

NearestNeighbours empty_lists(int64_t queries, int64_t k) {
  NearestNeighbours result;
  result.n = queries;
  result.k = k;
  result.indices.resize(static_cast<size_t>(queries * k));
  result.similarities.resize(static_cast<size_t>(queries * k));
  return result;
}

std::vector<double> row_norms(const float* points, int64_t n, int64_t d) {
  std::vector<double> norms(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) norms[static_cast<size_t>(i)] = std::sqrt(exact_dot(points + i * d, points + i * d, d));
  return norms;
}

// With Search::leave_one_out query q is references[q] itself (queries == references).
NearestNeighbours search_blocked(const float* queries, int64_t queries_count, const float* references,
                                 int64_t references_count, int64_t d, int64_t k, Search search, int64_t block_rows,
                                 Device device) {
  check_arguments(queries, queries_count, references, references_count, d, k, search);
  const bool leave_one_out = search == Search::leave_one_out;
  const InnerProducts products(device);
  const InnerProducts::Matrix reference_matrix = products.matrix(references, references_count, d);
  const InnerProducts::Matrix query_matrix =
      leave_one_out ? reference_matrix : products.matrix(queries, queries_count, d);
  constexpr int64_t kBlockFloats = int64_t(16) << 20;  // 64 MiB of float32 similarities per block
  if (block_rows <= 0) block_rows = std::max<int64_t>(1, kBlockFloats / references_count);
  block_rows = std::min(block_rows, queries_count);

  NearestNeighbours result = empty_lists(queries_count, k);
  std::vector<float> block(static_cast<size_t>(block_rows * references_count));
  const std::vector<double> query_norms = row_norms(queries, queries_count, d);
  const std::vector<double> reference_norms = leave_one_out ? query_norms : row_norms(references, references_count, d);
  const double max_norm = *std::max_element(reference_norms.begin(), reference_norms.end());
  const double error_bound = float_dot_error_bound(d);

  for (int64_t start = 0; start < queries_count; start += block_rows) {
    const int64_t rows = std::min(block_rows, queries_count - start);
    // block (rows, references_count) = queries[start:start+rows] (rows, d) x references^T (d, references_count)
    products.multiply(query_matrix, start, rows, reference_matrix, block.data());
#pragma omp parallel if (rows * references_count > 32768)
    {
      Scratch scratch;
      scratch.heap.reserve(static_cast<size_t>(k));
#pragma omp for schedule(static)
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t query = start + r;
        const double margin = 2.0 * error_bound * query_norms[static_cast<size_t>(query)] * max_norm;
        select_top_k(block.data() + r * references_count, references_count, leave_one_out ? query : -1, k, margin,
                     queries + query * d, references, d, scratch, result.indices.data() + query * k,
                     result.similarities.data() + query * k);
      }
    }
  }
  return result;
}

NearestNeighbours search_naive(const float* queries, int64_t queries_count, const float* references,
                               int64_t references_count, int64_t d, int64_t k, Search search) {
  check_arguments(queries, queries_count, references, references_count, d, k, search);
  const bool leave_one_out = search == Search::leave_one_out;
  NearestNeighbours result = empty_lists(queries_count, k);
  std::vector<std::pair<double, int64_t>> row;
  for (int64_t i = 0; i < queries_count; ++i) {
    row.clear();
    for (int64_t j = 0; j < references_count; ++j) {
      if (leave_one_out && j == i) continue;
      row.emplace_back(exact_dot(queries + i * d, references + j * d, d), j);
    }
    std::sort(row.begin(), row.end(), [](const auto& a, const auto& b) {
      return a.first > b.first || (a.first == b.first && a.second < b.second);
    });
    for (int64_t r = 0; r < k; ++r) {
      result.indices[static_cast<size_t>(i * k + r)] = row[static_cast<size_t>(r)].second;
      result.similarities[static_cast<size_t>(i * k + r)] = static_cast<float>(row[static_cast<size_t>(r)].first);
    }
  }
  return result;
}

}  // namespace

NearestNeighbours nearest_neighbours(const float* points, int64_t n, int64_t d, int64_t k, int64_t block_rows,
                                     Device device) {
  return search_blocked(points, n, points, n, d, k, Search::leave_one_out, block_rows, device);
}

NearestNeighbours nearest_neighbours_among(const float* queries, int64_t queries_count, const float* references,
                                           int64_t references_count, int64_t d, int64_t k, int64_t block_rows,
                                           Device device) {
  return search_blocked(queries, queries_count, references, references_count, d, k, Search::among_references,
                        block_rows, device);
}

NearestNeighbours nearest_neighbours_reference(const float* points, int64_t n, int64_t d, int64_t k) {
  return search_naive(points, n, points, n, d, k, Search::leave_one_out);
}

NearestNeighbours nearest_neighbours_among_reference(const float* queries, int64_t queries_count,
                                                     const float* references, int64_t references_count, int64_t d,
                                                     int64_t k) {
  return search_naive(queries, queries_count, references, references_count, d, k, Search::among_references);
}

}  // namespace idml::metrics
