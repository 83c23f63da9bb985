// Introspective similarity (ISM, docs/METHOD.md#3-ism) between two sets of
// embeddings, each row a (semantic s, uncertainty u) pair: samples against
// samples (pair-based losses) or samples against proxies.
//
//   cos0 = <s_a/|s_a|, s_b/|s_b|>             (each side normalised with the 1e-12 rule)
//   d_s  = |s_a|^2 + |s_b|^2 - 2 <s_a, s_b>    (squared distance of the raw vectors)
//   d_u  = |u_a|^2 + |u_b|^2 - 2 <u_a, u_b>    (squared distance of the uncertainties)
//   sim  = 1 - (1 - cos0) * exp(-(d_u + c_u) / (c_s * d_s))
// with the reference's constants c_u = 4, c_s = 5. A proxy has no uncertainty
// (u_b = 0), so against proxies d_u = |u_a|^2: the reference computes the
// general form and sets the proxy's u to zero. d_s is floored at
// `min_distance`, so a sample against itself (or a duplicate, or a sample on
// its proxy) has sim = 1 with finite values and gradients.
//
// Reference behaviour kept on purpose: with --l2-norm 1, |u| = 1, so against
// proxies d_u is a constant and the uncertainty head receives (numerically)
// no gradient from a proxy loss. Between two samples d_u = 2 - 2 <u_a, u_b>
// varies, and pair-based losses do train the uncertainty head.
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

// semantic_a, uncertainty_a (A, D); semantic_b (B, D); uncertainty_b (B, D),
// or undefined for zero uncertainty (proxies) -> sim (A, B).
Tensor introspective_similarity(const Tensor& semantic_a, const Tensor& uncertainty_a, const Tensor& semantic_b,
                                const Tensor& uncertainty_b, const IsmConstants& constants = {});

// semantic, uncertainty (B, D), proxies (C, D) -> sim (B, C): the proxy case, u_b = 0.
Tensor introspective_similarity(const Tensor& semantic, const Tensor& uncertainty, const Tensor& proxies,
                                const IsmConstants& constants = {});

}  // namespace idml::train
