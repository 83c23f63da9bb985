// The training logits of the classification extension (docs/METHOD.md#10-classification): the
// introspective similarity of features f to the class points of the classifier.
//   z    = W f + b                         (plain logits, test time)
//   p_c  = W_c + b_c 1                     (row c of W plus b_c on every coordinate)
//   d_c  = |f|^2 + |p_c|^2 - 2 <f, p_c>
//   d_u  = |u|^2                           (class points have zero uncertainty)
//   z'_c = 1 - (1 - z_c) exp(-d_u / (5 d_c))   (no +4, unlike the retrieval ISM)
// d_c is floored at `min_distance` so neither value nor gradient is NaN when f = p_c.
#pragma once

#include "engine/tensor.h"

namespace idml::train::classify {

struct IsmLogitConstants {
  double distance_scale = 5.0;  // the 5 of d_u / (5 d_c)
  double min_distance = 1e-12;  // floor of d_c
};

// features f (N, F), uncertainty u (N, U), logits z (N, C) = fc(f), fc weight
// W (C, F) and bias b (C) -> z' (N, C). Differentiable in all of them.
Tensor ism_logits(const Tensor& features, const Tensor& uncertainty, const Tensor& logits, const Tensor& weight,
                  const Tensor& bias, const IsmLogitConstants& constants = {});

// Mean over the batch of -log softmax(logits)[label]; logits (N, C), labels int64 (N).
Tensor cross_entropy(const Tensor& logits, const Tensor& labels);

}  // namespace idml::train::classify
