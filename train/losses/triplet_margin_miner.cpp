// The semihard triplet miner as a dense (B, B, B) mask; the rule is in the header.
#include "train/losses/triplet_margin_miner.h"

#include "engine/autograd.h"
#include "engine/ops.h"

namespace idml::train {

Tensor semihard_triplet_miner(const Tensor& distance, const PairMasks& masks, double margin) {
  IDML_CHECK(distance.dim() == 2 && distance.size(0) == distance.size(1) && masks.positive.shape() == distance.shape(),
             "semihard_triplet_miner: distance ", distance.str(), " must be (B, B) with the batch's pair masks");
  const NoGradGuard no_grad;
  const int64_t b = distance.size(0);
  const Tensor d = distance.detach();
  // triplet_margin[a, p, n] = d_an - d_ap
  const Tensor triplet_margin = sub(d.reshape({b, 1, b}), d.reshape({b, b, 1}));
  const Tensor is_triplet = mul(masks.positive.reshape({b, b, 1}), masks.negative.reshape({b, 1, b}));
  const Tensor semihard = mul(greater_than(triplet_margin, 0.0), rsub_scalar(greater_than(triplet_margin, margin), 1.0));
  return mul(is_triplet, semihard);
}

}  // namespace idml::train
