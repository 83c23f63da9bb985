// The ISM similarities of docs/METHOD.md#3-ism built from engine ops (autograd gives the backward); the formula is in the header.
#include "train/losses/introspective_similarity.h"

#include "engine/ops.h"

namespace idml::train {

namespace {

// |a_i|^2 + |b_j|^2 - 2 <a_i, b_j>: (A, B).
Tensor squared_distances(const Tensor& a, const Tensor& b) {
  const Tensor a_sq = sum(mul(a, a), {1}, KeepDim::yes);                           // (A, 1)
  const Tensor b_sq = sum(mul(b, b), {1}, KeepDim::no).reshape({1, b.size(0)});    // (1, B)
  return sub(add(a_sq, b_sq), mul_scalar(matmul(a, b, Transpose::second), 2.0));  // (A, B)
}

}  // namespace

Tensor cosine_similarity_matrix(const Tensor& a, const Tensor& b) {
  return matmul(l2_normalize(a, 1), l2_normalize(b, 1), Transpose::second);
}

Tensor introspective_similarity(const Tensor& semantic_a, const Tensor& uncertainty_a, const Tensor& semantic_b,
                                const Tensor& uncertainty_b, const IsmConstants& k) {
  IDML_CHECK(semantic_a.dim() == 2 && semantic_b.dim() == 2 && semantic_a.size(1) == semantic_b.size(1),
             "introspective_similarity: semantic ", semantic_a.str(), " and ", semantic_b.str(),
             " must be (A, D) and (B, D)");
  IDML_CHECK(uncertainty_a.shape() == semantic_a.shape(), "introspective_similarity: uncertainty ",
             uncertainty_a.str(), " must have the shape of semantic ", semantic_a.str());
  IDML_CHECK(!uncertainty_b.defined() || uncertainty_b.shape() == semantic_b.shape(),
             "introspective_similarity: uncertainty ", uncertainty_b.defined() ? uncertainty_b.str() : "",
             " must have the shape of semantic ", semantic_b.str());
  const Tensor cos0 = cosine_similarity_matrix(semantic_a, semantic_b);                  // (A, B)
  const Tensor d_s = clamp_min(squared_distances(semantic_a, semantic_b), k.min_distance);
  // u_b = 0 (proxies): d_u = |u_a|^2, a column broadcast over B.
  const Tensor d_u = uncertainty_b.defined() ? squared_distances(uncertainty_a, uncertainty_b)
                                             : sum(mul(uncertainty_a, uncertainty_a), {1}, KeepDim::yes);
  // exp(-(d_u + c_u) / (c_s d_s))
  const Tensor decay = exp(neg(div(add_scalar(d_u, k.uncertainty_offset), mul_scalar(d_s, k.distance_scale))));
  return rsub_scalar(mul(rsub_scalar(cos0, 1.0), decay), 1.0);
}

Tensor introspective_similarity(const Tensor& semantic, const Tensor& uncertainty, const Tensor& proxies,
                                const IsmConstants& k) {
  return introspective_similarity(semantic, uncertainty, proxies, Tensor(), k);
}

}  // namespace idml::train
