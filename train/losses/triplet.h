// Triplet margin loss (Weinberger & Saul 2009; Schroff et al., CVPR 2015;
// --loss Triplet, docs/METHOD.md#4-losses) as the reference configures PML 2.x:
// TripletMarginMiner(margin=0.1, type_of_triplets="semihard")
// (triplet_margin_miner.h), then TripletMarginLoss(margin=0.1) on the mined
// triplets, with PML's default distance (L2 of normalised embeddings), here
// d = sqrt(2 - 2 S) of the similarity S of --metric (similarity.h):
//
//   l_apn = relu(d_ap - d_an + margin)
//   L     = mean of l_apn over the mined triplets with l_apn > 0 (AvgNonZeroReducer);
//           0 when there are none
//
// Computed without a (B, B, B) graph: on the mined triplets with l > 0 the
// relu is the identity, so L = (sum_ap c_ap d_ap - sum_an c_an d_an + margin N) / N,
// c_ap (c_an) the number of such triplets through pair (a, p) ((a, n)), N their total.
#pragma once

#include "train/losses/criterion.h"
#include "train/losses/pair_masks.h"

namespace idml::train {

struct TripletOptions {
  double margin = 0.1;         // the loss's
  double miner_margin = 0.1;   // the semihard miner's
  SimilarityOptions similarity;
};

// distance (B, B) of the batch, its pair masks -> scalar loss.
Tensor triplet_from_distance(const Tensor& distance, const PairMasks& masks, const TripletOptions& options);

class Triplet : public Criterion {
 public:
  explicit Triplet(const TripletOptions& options) : options_(options) {}
  Tensor forward(const Tensor& semantic, const Tensor& uncertainty, const Tensor& labels) const override;
  LossKind kind() const override { return LossKind::Triplet; }

 private:
  TripletOptions options_;
};

}  // namespace idml::train
