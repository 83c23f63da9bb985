// The triplet margin loss on semihard-mined triplets, and its criterion; the formula is in the header.
#include "train/losses/triplet.h"

#include "engine/autograd.h"
#include "engine/ops.h"
#include "train/losses/triplet_margin_miner.h"

namespace idml::train {

Tensor triplet_from_distance(const Tensor& distance, const PairMasks& masks, const TripletOptions& o) {
  const int64_t b = distance.size(0);
  Tensor anchor_positive_count, anchor_negative_count, count;  // c_ap (B, B), c_an (B, B), N
  {
    const NoGradGuard no_grad;
    const Tensor d = distance.detach();
    const Tensor mined = semihard_triplet_miner(d, masks, o.miner_margin);  // (B, B, B)
    // l_apn > 0, computed as PML adds the margin: (d_ap - d_an) + margin
    const Tensor violation = add_scalar(sub(d.reshape({b, b, 1}), d.reshape({b, 1, b})), o.margin);
    const Tensor counted = mul(mined, greater_than(violation, 0.0));
    anchor_positive_count = sum(counted, {2});  // (B, B)
    anchor_negative_count = sum(counted, {1});  // (B, B)
    count = sum(counted);
  }
  const Tensor total = add(sub(sum(mul(distance, anchor_positive_count)), sum(mul(distance, anchor_negative_count))),
                           mul_scalar(count, o.margin));
  return div(total, clamp_min(count, 1.0));
}

Tensor Triplet::forward(const Tensor& semantic, const Tensor& uncertainty, const Tensor& labels) const {
  const Tensor distance = distance_from_similarity(pairwise_similarity(options_.similarity, semantic, uncertainty));
  return triplet_from_distance(distance, pair_masks(labels, distance.dtype()), options_);
}

}  // namespace idml::train
