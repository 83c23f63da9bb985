// The multi-similarity miner as dense masks; the rule is in the header.
#include "train/losses/multi_similarity_miner.h"

#include <cmath>

#include "engine/autograd.h"
#include "engine/ops.h"

namespace idml::train {

MinedPairs multi_similarity_miner(const Tensor& similarity, const PairMasks& masks, double epsilon) {
  IDML_CHECK(similarity.dim() == 2 && similarity.size(0) == similarity.size(1) &&
                 masks.positive.shape() == similarity.shape(),
             "multi_similarity_miner: similarity ", similarity.str(), " must be (B, B) with the batch's pair masks");
  const NoGradGuard no_grad;
  const Tensor s = similarity.detach();
  const Tensor infinity = full({}, INFINITY, s.dtype(), s.device());
  // Hardest negative (largest similarity) and hardest positive (smallest) of each anchor: (B, 1).
  const Tensor hardest_negative = max(where(masks.negative, s, neg(infinity)), 1, KeepDim::yes).values;
  const Tensor hardest_positive = neg(max(where(masks.positive, neg(s), neg(infinity)), 1, KeepDim::yes).values);
  MinedPairs mined;
  mined.positive = mul(masks.positive, lt(add_scalar(s, -epsilon), hardest_negative));
  mined.negative = mul(masks.negative, gt(add_scalar(s, epsilon), hardest_positive));
  return mined;
}

}  // namespace idml::train
