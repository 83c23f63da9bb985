// Dense 0/1 masks over the pairs of a batch, built on the labels' device from
// the labels alone: what PML's miners and losses hold as index lists (a1, p,
// a2, n). A loss multiplies by them, so a training step builds no index list
// from device values and reads nothing back to the host.
//
//   same[i, j]     = y_i == y_j
//   positive[i, j] = same[i, j] and i != j     (PML get_all_pairs_indices: a1, p)
//   negative[i, j] = not same[i, j]            (a2, n)
//
// Deliberately not here: anything that depends on embeddings (the miners,
// multi_similarity_miner.h and triplet_margin_miner.h, build on these).
#pragma once

#include "engine/tensor.h"

namespace idml::train {

struct PairMasks {
  Tensor same, positive, negative;  // (B, B), 0/1 in the requested dtype
};

// labels int64 (B) -> the masks of the batch against itself.
PairMasks pair_masks(const Tensor& labels, DType dtype);

// i as a value of `dtype`, for i = 0 .. n-1, on `device`: (n).
Tensor positions(int64_t n, DType dtype, Device device);

// 0/1 masks of x's dtype, no gradient: x > c and x < c elementwise.
Tensor greater_than(const Tensor& x, double c);
Tensor less_than(const Tensor& x, double c);

}  // namespace idml::train
