// ISM training logits and the cross-entropy, composed from engine ops (their
// backward comes from the ops' own, checked by finite differences).
#include "train/classify/ism_logits.h"

#include "engine/ops.h"

namespace idml::train::classify {

Tensor ism_logits(const Tensor& features, const Tensor& uncertainty, const Tensor& logits, const Tensor& weight,
                  const Tensor& bias, const IsmLogitConstants& constants) {
  IDML_CHECK(features.dim() == 2 && uncertainty.dim() == 2 && logits.dim() == 2 && weight.dim() == 2 &&
                 bias.dim() == 1,
             "ism_logits: expected features (N, F), uncertainty (N, U), logits (N, C), weight (C, F), bias (C); got ",
             features.str(), ", ", uncertainty.str(), ", ", logits.str(), ", ", weight.str(), ", ", bias.str());
  const int64_t n = features.size(0), classes = weight.size(0);
  IDML_CHECK(weight.size(1) == features.size(1) && bias.size(0) == classes && logits.size(0) == n &&
                 logits.size(1) == classes && uncertainty.size(0) == n,
             "ism_logits: shapes do not agree: features ", features.str(), ", uncertainty ", uncertainty.str(),
             ", logits ", logits.str(), ", weight ", weight.str(), ", bias ", bias.str());
  const Tensor points = add(weight, bias.reshape({classes, 1}));                       // p (C, F)
  const Tensor f_sq = sum(mul(features, features), {1}, KeepDim::yes);                       // (N, 1)
  const Tensor p_sq = sum(mul(points, points), {1}, KeepDim::yes).reshape({1, classes});     // (1, C)
  const Tensor cross = matmul(features, points, Transpose::second);                         // (N, C)
  const Tensor distance = clamp_min(sub(add(f_sq, p_sq), mul_scalar(cross, 2.0)), constants.min_distance);
  const Tensor d_u = sum(mul(uncertainty, uncertainty), {1}, KeepDim::yes);                  // (N, 1)
  const Tensor decay = exp(neg(div(d_u, mul_scalar(distance, constants.distance_scale))));
  return rsub_scalar(mul(rsub_scalar(logits, 1.0), decay), 1.0);
}

Tensor cross_entropy(const Tensor& logits, const Tensor& labels) {
  IDML_CHECK(logits.dim() == 2 && labels.dim() == 1 && labels.size(0) == logits.size(0) &&
                 labels.dtype() == DType::Int64,
             "cross_entropy: expected logits (N, C) and int64 labels (N), got ", logits.str(), " and ", labels.str());
  const int64_t n = logits.size(0);
  // log-sum-exp shifted by the row maximum; the shift is a constant for the gradient.
  const Tensor row_max = max(logits, 1, KeepDim::yes).values.detach();
  const Tensor log_sum = add(log(sum(exp(sub(logits, row_max)), {1}, KeepDim::yes)), row_max);  // (N, 1)
  const Tensor picked = gather(logits, labels.reshape({n, 1}));                           // (N, 1)
  return mean(sub(log_sum, picked));
}

}  // namespace idml::train::classify
