// Introspective similarity (ISM, docs/METHOD.md#3-ism) between samples and proxies.
//
// For a sample with semantic embedding s, uncertainty embedding u and a proxy
// p (whose own uncertainty is zero):
//   cos0 = <s/|s|, p/|p|>               (each side normalised with the 1e-12 rule)
//   d_s  = |s|^2 + |p|^2 - 2 <s, p>      (squared distance of the raw vectors)
//   d_u  = |u|^2
//   sim  = 1 - (1 - cos0) * exp(-(d_u + c_u) / (c_s * d_s))
// with the reference's constants c_u = 4, c_s = 5. d_s is floored at
// `min_distance` so that neither value nor gradient is NaN when s = p.
//
// Reference behaviour kept on purpose: with --l2-norm 1, |u| = 1, so d_u is a
// constant and the uncertainty head receives (numerically) no gradient.
#pragma once

#include "engine/tensor.h"

namespace idml::train {

struct IsmConstants {
  double uncertainty_offset = 4.0;  // c_u
  double distance_scale = 5.0;      // c_s
  double min_distance = 1e-12;      // floor of d_s
};

// Cosine similarity of every row of a (B, D) with every row of b (C, D): (B, C).
Tensor cosine_similarity_matrix(const Tensor& a, const Tensor& b);

// semantic (B, D), uncertainty (B, D), proxies (C, D) -> sim (B, C).
Tensor introspective_similarity(const Tensor& semantic, const Tensor& uncertainty, const Tensor& proxies,
                                const IsmConstants& constants = {});

}  // namespace idml::train
