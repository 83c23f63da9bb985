// The ISM similarities of docs/METHOD.md#3-ism built from engine ops (autograd gives the backward); the formula is in the header.
#include "train/losses/introspective_similarity.h"

#include "engine/ops.h"

namespace idml::train {

Tensor cosine_similarity_matrix(const Tensor& a, const Tensor& b) {
  return matmul(l2_normalize(a, 1), l2_normalize(b, 1), Transpose::second);
}

Tensor introspective_similarity(const Tensor& semantic, const Tensor& uncertainty, const Tensor& proxies,
                                const IsmConstants& k) {
  IDML_CHECK(semantic.dim() == 2 && proxies.dim() == 2 && semantic.size(1) == proxies.size(1),
             "introspective_similarity: semantic ", semantic.str(), " and proxies ", proxies.str(),
             " must be (B, D) and (C, D)");
  IDML_CHECK(uncertainty.shape() == semantic.shape(), "introspective_similarity: uncertainty ", uncertainty.str(),
             " must have the shape of semantic ", semantic.str());
  const Tensor cos0 = cosine_similarity_matrix(semantic, proxies);                      // (B, C)
  const Tensor s_sq = sum(mul(semantic, semantic), {1}, KeepDim::yes);                          // (B, 1)
  const Tensor p_sq = sum(mul(proxies, proxies), {1}, KeepDim::no).reshape({1, proxies.size(0)});  // (1, C)
  const Tensor dot = matmul(semantic, proxies, Transpose::second);                            // (B, C)
  const Tensor d_s = clamp_min(sub(add(s_sq, p_sq), mul_scalar(dot, 2.0)), k.min_distance);
  const Tensor d_u = sum(mul(uncertainty, uncertainty), {1}, KeepDim::yes);                     // (B, 1)
  // exp(-(d_u + c_u) / (c_s d_s))
  const Tensor decay = exp(neg(div(add_scalar(d_u, k.uncertainty_offset), mul_scalar(d_s, k.distance_scale))));
  return rsub_scalar(mul(rsub_scalar(cos0, 1.0), decay), 1.0);
}

}  // namespace idml::train
