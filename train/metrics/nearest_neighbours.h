// k nearest neighbours of every point among all the others (leave-one-out), or
// of every query among a separate set of references (a gallery: In-shop), by
// inner product, computed block by block with a BLAS GEMM so that memory stays
// bounded (block_rows x N similarities at a time, never N x N): SOP's 60k x 60k fits.
//
// For L2-normalised points the inner-product order is the Euclidean order:
// |x - y|^2 = 2 - 2 x.y. Callers normalise first (see evaluate.h); this file
// does not. A point is never its own neighbour (excluded by index, not by
// distance, so exact duplicates of it still count); among references nothing
// is excluded. Ties in similarity go to the lower index, so the result is deterministic.
// Not here: approximate search, top-k selection on a GPU, distances other than inner product.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/device.h"

namespace idml::metrics {

struct NearestNeighbours {
  int64_t n = 0;                   // number of queries (the points themselves when leave-one-out)
  int64_t k = 0;                   // neighbours kept per query
  std::vector<int64_t> indices;    // (n, k): row i = neighbours of query i, best first (indices of points / references)
  std::vector<float> similarities; // (n, k): inner products matching `indices` (exact, rounded to float)

  const int64_t* neighbours_of(int64_t i) const { return indices.data() + i * k; }
};

// points (n, d) row-major; 1 <= k <= n - 1. block_rows = query rows per GEMM;
// 0 picks it so that one block of similarities stays under 64 MiB.
// sgemm shortlists; the order and the similarities come from exact_dot
// (double, fixed order, rounded to float at the end), so the result is the
// same as the reference's and does not depend on the thread count. Rows of a
// block are processed in parallel with OpenMP; the GEMM uses BLAS's threads,
// or runs on `device` (a CUDA device: the engine's matmul) with the same result.
NearestNeighbours nearest_neighbours(const float* points, int64_t n, int64_t d, int64_t k, int64_t block_rows = 0,
                                     Device device = Device::cpu());

// queries (queries_count, d) searched among references (references_count, d);
// 1 <= k <= references_count. Same method and guarantees as above.
NearestNeighbours nearest_neighbours_among(const float* queries, int64_t queries_count, const float* references,
                                           int64_t references_count, int64_t d, int64_t k, int64_t block_rows = 0,
                                           Device device = Device::cpu());

// The naive O(n^2 d) references of the two (double-precision inner products,
// full sort per row), kept beside the fast ones for the tests.
NearestNeighbours nearest_neighbours_reference(const float* points, int64_t n, int64_t d, int64_t k);
NearestNeighbours nearest_neighbours_among_reference(const float* queries, int64_t queries_count,
                                                     const float* references, int64_t references_count, int64_t d,
                                                     int64_t k);

}  // namespace idml::metrics
