// Proxy-NCA (Movshovitz-Attias et al., ICCV 2017; --loss Proxy_NCA,
// docs/METHOD.md#4-losses) as PML 2.x's ProxyNCALoss(num_classes, D,
// softmax_scale=32) computes it, on the similarity of --metric:
//
//   d2[i, c] = 2 - 2 sim(x_i, p_c)            (PML: squared L2 distance of the normalised
//                                              x and p, LpDistance(power=2), for sim = cosine)
//   q[i]     = softmax_c(-scale * d2[i, c])[y_i]
//   L        = mean of -log q[i] over the samples with q[i] != 0
//
// The mean skips samples whose softmax underflowed to exactly 0, as PML does
// (their -log would be infinite); if all did, L = 0 (PML: the mean of nothing,
// NaN). Proxies (C, D) are drawn as PML draws them, normal(0, 1); the proxy
// has no uncertainty (u_b = 0 in the ISM).
//
// Reference behaviour: the authors' script leaves these proxies out of the
// optimiser, so they never move (--proxy-lr-scale 0). Our default trains them
// like Proxy-Anchor's, at lr x 100 (train/parameter_groups.h).
#pragma once

#include "engine/generator.h"
#include "train/losses/criterion.h"

namespace idml::train {

struct ProxyNcaOptions {
  double softmax_scale = 32.0;
  SimilarityOptions similarity;
};

// similarity (B, C) to the proxies, labels int64 (B) in [0, C) -> scalar loss.
Tensor proxy_nca_from_similarity(const Tensor& similarity, const Tensor& labels, double softmax_scale);

class ProxyNca : public Criterion {
 public:
  ProxyNca(int64_t num_classes, int64_t embedding_size, const ProxyNcaOptions& options, Generator& gen);

  Tensor forward(const Tensor& semantic, const Tensor& uncertainty, const Tensor& labels) const override;
  LossKind kind() const override { return LossKind::ProxyNca; }

  Tensor proxies;  // (C, D)

 private:
  ProxyNcaOptions options_;
};

}  // namespace idml::train
