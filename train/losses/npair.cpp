// The N-pair loss on the first two samples of each class, and its criterion; the formula is in the header.
#include "train/losses/npair.h"

#include "engine/autograd.h"
#include "engine/ops.h"
#include "train/losses/reducers.h"

namespace idml::train {

Tensor npair_from_similarity(const Tensor& similarity, const PairMasks& masks) {
  IDML_CHECK(similarity.dim() == 2 && masks.same.shape() == similarity.shape(), "npair_loss: similarity ",
             similarity.str(), " must be (B, B) like the batch's pair masks");
  const int64_t b = similarity.size(0);
  Tensor anchors, positives;  // (B, 1) rows and (1, B) columns, 0/1
  {
    const NoGradGuard no_grad;
    const Tensor index = positions(b, similarity.dtype(), similarity.device());
    const Tensor earlier = lt(index.reshape({1, b}), index.reshape({b, 1}));                 // [i, j] = j < i
    const Tensor same_class_before = sum(mul(masks.same, earlier), {1}, KeepDim::yes);      // (B, 1)
    const Tensor has_positive = greater_than(sum(masks.positive, {1}, KeepDim::yes), 0.0);
    anchors = mul(less_than(same_class_before, 0.5), has_positive);                          // first of a class of >= 2
    const Tensor second = mul(greater_than(same_class_before, 0.5), less_than(same_class_before, 1.5));
    positives = second.reshape({1, b});
  }
  const Tensor column_mask = expand(positives, {b, b});
  const Tensor log_partition = log_sum_exp(similarity, column_mask);                        // (B)
  const Tensor target = sum(mul(similarity, mul(masks.same, positives)), {1});              // S(a_c, p_c)
  return mean_over(sub(log_partition, target), anchors.reshape({b}));
}

Tensor NPair::forward(const Tensor& semantic, const Tensor& uncertainty, const Tensor& labels) const {
  const Tensor sim = pairwise_similarity(similarity_, semantic, uncertainty);
  return npair_from_similarity(sim, pair_masks(labels, sim.dtype()));
}

}  // namespace idml::train
