// Proxy-Anchor loss (Kim et al., CVPR 2020) on a similarity matrix (docs/METHOD.md#4-losses).
//
//   pos[i,c] = exp(-alpha (sim[i,c] - mrg)),   neg[i,c] = exp(alpha (sim[i,c] + mrg))
//   L = 1/|P+| sum_{c in P+} log(1 + sum_{i: y_i = c} pos[i,c])
//     + 1/C    sum_{c}       log(1 + sum_{i: y_i != c} neg[i,c])
// P+ = classes present in the batch. `sim` is the introspective similarity
// (--metric ism) or the plain cosine of the baseline (--metric cosine).
#pragma once

#include "engine/tensor.h"
#include "train/losses/similarity.h"

namespace idml::train {

struct ProxyAnchorOptions {
  double alpha = 32.0;
  double margin = 0.1;
  Metric metric = Metric::Introspective;
  IsmConstants ism;
};

// similarity (B, C), labels int64 (B) in [0, C) -> scalar loss.
Tensor proxy_anchor_from_similarity(const Tensor& similarity, const Tensor& labels, double alpha, double margin);

// semantic, uncertainty (B, D), labels int64 (B), proxies (C, D) -> scalar loss.
Tensor proxy_anchor_loss(const Tensor& semantic, const Tensor& uncertainty, const Tensor& labels,
                         const Tensor& proxies, const ProxyAnchorOptions& options = {});

}  // namespace idml::train
