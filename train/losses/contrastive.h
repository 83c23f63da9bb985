// Contrastive loss (Hadsell et al., CVPR 2006; --loss Contrastive,
// docs/METHOD.md#4-losses) as the reference configures PML 2.x:
// ContrastiveLoss(pos_margin=0, neg_margin=0.5) with PML's default distance,
// the L2 distance of normalised embeddings, here the distance the similarity
// of --metric induces, d = sqrt(2 - 2 S) (similarity.h):
//
//   L = mean_{(i,j) positive, l > 0} relu(d_ij - pos_margin)
//     + mean_{(i,k) negative, l > 0} relu(neg_margin - d_ik)
//
// over every ordered pair of the batch (no miner): positive = same class,
// i != j; negative = other class. Each part is averaged over its pairs with a
// non-zero loss (PML's AvgNonZeroReducer, one per part) and is 0 when there
// are none. (PML's shortcut to zero for at most one pair of each kind
// changes nothing here: ordered pairs come in twos.)
#pragma once

#include "train/losses/criterion.h"
#include "train/losses/pair_masks.h"

namespace idml::train {

struct ContrastiveOptions {
  double pos_margin = 0.0;
  double neg_margin = 0.5;
  SimilarityOptions similarity;
};

// distance (B, B) of the batch, its pair masks -> scalar loss.
Tensor contrastive_from_distance(const Tensor& distance, const PairMasks& masks, const ContrastiveOptions& options);

class Contrastive : public Criterion {
 public:
  explicit Contrastive(const ContrastiveOptions& options) : options_(options) {}
  Tensor forward(const Tensor& semantic, const Tensor& uncertainty, const Tensor& labels) const override;
  LossKind kind() const override { return LossKind::Contrastive; }

 private:
  ContrastiveOptions options_;
};

}  // namespace idml::train
