// PML 2.x's TripletMarginMiner(margin, type_of_triplets="semihard") on the
// distance matrix d of the batch against itself, as a dense mask over
// triplets (anchor a, positive p, negative n):
//
//   (a, p, n) is a triplet  iff  y_p = y_a, p != a, y_n != y_a
//   kept (semihard)         iff  0 < d_an - d_ap <= margin
//
// The mask is (B, B, B), indexed [a, p, n]: B^3 values (3.4 M at B = 150),
// no gradient flows through it.
#pragma once

#include "engine/tensor.h"
#include "train/losses/pair_masks.h"

namespace idml::train {

// distance (B, B), masks of the batch's labels -> kept (B, B, B) 0/1.
Tensor semihard_triplet_miner(const Tensor& distance, const PairMasks& masks, double margin);

}  // namespace idml::train
