// Proxy-NCA on a similarity matrix, and its criterion; the formula is in the header.
#include "train/losses/proxy_nca.h"

#include "engine/ops.h"
#include "train/losses/pair_masks.h"
#include "train/losses/reducers.h"

namespace idml::train {

Tensor proxy_nca_from_similarity(const Tensor& similarity, const Tensor& labels, double softmax_scale) {
  IDML_CHECK(similarity.dim() == 2 && labels.dim() == 1 && labels.size(0) == similarity.size(0),
             "proxy_nca_loss: similarity ", similarity.str(), " and labels ", labels.str(), " must be (B, C) and (B)");
  const Tensor target = one_hot(labels, similarity.size(1), similarity.dtype());            // (B, C)
  const Tensor logits = mul_scalar(rsub_scalar(mul_scalar(similarity, 2.0), 2.0), -softmax_scale);
  // The softmax as PyTorch computes it, exp(x - max) / sum, so that it underflows where PML's does.
  const Tensor shifted = exp(sub(logits, max(logits.detach(), 1, KeepDim::yes).values));   // (B, C)
  const Tensor q = div(sum(mul(shifted, target), {1}), sum(shifted, {1}));                  // (B)
  const Tensor kept = greater_than(q.detach(), 0.0);
  // log(1) = 0 where dropped, so no infinite value meets the mask.
  const Tensor safe_q = where(kept, q, full({}, 1.0, q.dtype(), q.device()));
  return mean_over(neg(log(safe_q)), kept);
}

ProxyNca::ProxyNca(int64_t num_classes, int64_t embedding_size, const ProxyNcaOptions& options, Generator& gen)
    : options_(options) {
  IDML_CHECK(num_classes > 0 && embedding_size > 0, "ProxyNca: ", num_classes, " classes and embedding size ",
             embedding_size, " must both be positive");
  proxies = register_parameter("proxies", randn({num_classes, embedding_size}, gen, 0.0, 1.0));
}

Tensor ProxyNca::forward(const Tensor& semantic, const Tensor& uncertainty, const Tensor& labels) const {
  const Tensor sim = similarity(options_.similarity, semantic, uncertainty, proxies, Tensor());
  return proxy_nca_from_similarity(sim, labels, options_.softmax_scale);
}

}  // namespace idml::train
