// The contrastive loss over all pairs of a batch, and its criterion; the formula is in the header.
#include "train/losses/contrastive.h"

#include "engine/ops.h"
#include "train/losses/reducers.h"

namespace idml::train {

Tensor contrastive_from_distance(const Tensor& distance, const PairMasks& masks, const ContrastiveOptions& o) {
  IDML_CHECK(distance.dim() == 2 && masks.positive.shape() == distance.shape(), "contrastive_loss: distance ",
             distance.str(), " must be (B, B) like the batch's pair masks");
  const Tensor pos = relu(add_scalar(distance, -o.pos_margin));  // (B, B)
  const Tensor neg = relu(rsub_scalar(distance, o.neg_margin));
  return add(mean_over_nonzero(pos, masks.positive), mean_over_nonzero(neg, masks.negative));
}

Tensor Contrastive::forward(const Tensor& semantic, const Tensor& uncertainty, const Tensor& labels) const {
  const Tensor distance = distance_from_similarity(pairwise_similarity(options_.similarity, semantic, uncertainty));
  return contrastive_from_distance(distance, pair_masks(labels, distance.dtype()), options_);
}

}  // namespace idml::train
