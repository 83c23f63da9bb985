// The Proxy-Anchor loss of docs/METHOD.md#4-losses on a similarity matrix; the formula is in the header.
#include "train/losses/proxy_anchor_loss.h"

#include "engine/ops.h"

namespace idml::train {

Tensor proxy_anchor_from_similarity(const Tensor& similarity, const Tensor& labels, double alpha, double margin) {
  IDML_CHECK(similarity.dim() == 2 && labels.dim() == 1 && labels.size(0) == similarity.size(0),
             "proxy_anchor_loss: similarity ", similarity.str(), " and labels ", labels.str(),
             " must be (B, C) and (B)");
  const int64_t num_classes = similarity.size(1);
  const Tensor positive = one_hot(labels, num_classes, similarity.dtype());  // (B, C) 0/1
  const Tensor negative = rsub_scalar(positive, 1.0);
  const Tensor pos_exp = exp(mul_scalar(add_scalar(similarity, -margin), -alpha));
  const Tensor neg_exp = exp(mul_scalar(add_scalar(similarity, margin), alpha));
  const Tensor pos_sum = sum(mul(pos_exp, positive), {0});  // (C)
  const Tensor neg_sum = sum(mul(neg_exp, negative), {0});  // (C)
  // |P+|: classes with at least one sample in the batch, counted on the device (no host read).
  const Tensor per_class = sum(positive, {0});  // (C)
  const Tensor num_present = sum(gt(per_class, zeros_like(per_class)));
  // Classes outside P+ have pos_sum = 0 and contribute log(1) = 0.
  const Tensor pos_term = div(sum(log1p(pos_sum)), num_present);
  const Tensor neg_term = div_scalar(sum(log1p(neg_sum)), static_cast<double>(num_classes));
  return add(pos_term, neg_term);
}

Tensor proxy_anchor_loss(const Tensor& semantic, const Tensor& uncertainty, const Tensor& labels,
                         const Tensor& proxies, const ProxyAnchorOptions& options) {
  const Tensor similarity = options.metric == Metric::Introspective
                                ? introspective_similarity(semantic, uncertainty, proxies, options.ism)
                                : cosine_similarity_matrix(semantic, proxies);
  return proxy_anchor_from_similarity(similarity, labels, options.alpha, options.margin);
}

}  // namespace idml::train
