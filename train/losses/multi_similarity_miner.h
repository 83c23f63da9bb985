// PML 2.x's MultiSimilarityMiner(epsilon) (Wang et al., CVPR 2019) on a
// similarity matrix S of the batch against itself, as dense masks:
//
//   positive pair (i, j) kept iff  S_ij - epsilon < max_{k: y_k != y_i} S_ik
//   negative pair (i, k) kept iff  S_ik + epsilon > min_{j: y_j = y_i, j != i} S_ij
//
// An anchor with no negative keeps no positive pair, one with no positive
// keeps no negative pair (PML compares with -inf / +inf there), and a batch
// without any positive or any negative pair keeps nothing. The selection is a
// function of S's values only: no gradient flows through it.
#pragma once

#include "engine/tensor.h"
#include "train/losses/pair_masks.h"

namespace idml::train {

struct MinedPairs {
  Tensor positive, negative;  // (B, B) 0/1
};

// similarity (B, B), masks of the batch's labels -> the kept pairs.
MinedPairs multi_similarity_miner(const Tensor& similarity, const PairMasks& masks, double epsilon);

}  // namespace idml::train
