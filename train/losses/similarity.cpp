// --metric: ISM or cosine similarity, and the induced distance; see similarity.h.
#include "train/losses/similarity.h"

#include <limits>

#include "engine/ops.h"
#include "train/losses/pair_masks.h"

namespace idml::train {

Metric parse_metric(const std::string& name) {
  if (name == "ism") return Metric::Introspective;
  if (name == "cosine") return Metric::Cosine;
  throw Error("unknown metric '" + name + "': expected ism or cosine");
}

const char* metric_name(Metric metric) { return metric == Metric::Introspective ? "ism" : "cosine"; }

Tensor similarity(const SimilarityOptions& options, const Tensor& semantic_a, const Tensor& uncertainty_a,
                  const Tensor& semantic_b, const Tensor& uncertainty_b) {
  if (options.metric == Metric::Cosine) return cosine_similarity_matrix(semantic_a, semantic_b);
  return introspective_similarity(semantic_a, uncertainty_a, semantic_b, uncertainty_b, options.ism);
}

Tensor pairwise_similarity(const SimilarityOptions& options, const Tensor& semantic, const Tensor& uncertainty) {
  return similarity(options, semantic, uncertainty, semantic, uncertainty);
}

double coincidence_floor(DType dtype) {
  const double epsilon = dtype == DType::Float64 ? std::numeric_limits<double>::epsilon()
                                                 : std::numeric_limits<float>::epsilon();
  return 16 * epsilon + 4e-12;
}

Tensor distance_from_similarity(const Tensor& sim) {
  const double floor = coincidence_floor(sim.dtype());
  const Tensor squared = rsub_scalar(mul_scalar(sim, 2.0), 2.0);
  // Clamped first, so that the square root's backward stays finite where the mask zeroes it.
  return mul(sqrt(clamp_min(squared, floor)), greater_than(squared.detach(), floor));
}

}  // namespace idml::train
