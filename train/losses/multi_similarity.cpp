// The Multi-Similarity loss on mined pairs, and its criterion; the formula is in the header.
#include "train/losses/multi_similarity.h"

#include "engine/ops.h"
#include "train/losses/pair_masks.h"
#include "train/losses/reducers.h"

namespace idml::train {

Tensor multi_similarity_from_similarity(const Tensor& similarity, const MinedPairs& mined,
                                        const MultiSimilarityOptions& o) {
  IDML_CHECK(similarity.dim() == 2 && mined.positive.shape() == similarity.shape(),
             "multi_similarity_loss: similarity ", similarity.str(), " must be (B, B) like its mined pairs");
  const Tensor pos = div_scalar(log1p_sum_exp(mul_scalar(add_scalar(similarity, -o.base), -o.alpha), mined.positive),
                                o.alpha);  // (B)
  const Tensor neg = div_scalar(log1p_sum_exp(mul_scalar(add_scalar(similarity, -o.base), o.beta), mined.negative),
                                o.beta);  // (B)
  const Tensor per_anchor = add(pos, neg);
  // PML: no loss at all when at most one pair of each kind was mined.
  const Tensor at_most_one_each =
      mul(less_than(sum(mined.positive), 1.5), less_than(sum(mined.negative), 1.5));
  return mul(mean(per_anchor), rsub_scalar(at_most_one_each, 1.0));  // MeanReducer over all B anchors
}

Tensor MultiSimilarity::forward(const Tensor& semantic, const Tensor& uncertainty, const Tensor& labels) const {
  const Tensor sim = pairwise_similarity(options_.similarity, semantic, uncertainty);
  const MinedPairs mined = multi_similarity_miner(sim, pair_masks(labels, sim.dtype()), options_.epsilon);
  return multi_similarity_from_similarity(sim, mined, options_);
}

}  // namespace idml::train
