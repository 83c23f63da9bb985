// The similarity every loss is computed on (--metric, docs/METHOD.md#3-ism),
// and the distance it induces on the unit sphere for the distance-based losses.
//
//   ism:    sim = the introspective similarity of introspective_similarity.h
//   cosine: sim = cos(s_a, s_b), the semantic embeddings only (the plain
//           losses, for ablations; the uncertainties are not read)
//   dist  = sqrt(2 - 2 sim)   (|a - b| of unit vectors when sim is their cosine:
//           PML's LpDistance on normalised embeddings)
//
// Deliberately not here: a learnable metric, or distances of unnormalised
// embeddings (PML's losses normalise them by default).
#pragma once

#include <string>

#include "engine/tensor.h"
#include "train/losses/introspective_similarity.h"

namespace idml::train {

enum class Metric { Introspective, Cosine };
Metric parse_metric(const std::string& name);  // "ism" | "cosine"
const char* metric_name(Metric metric);

struct SimilarityOptions {
  Metric metric = Metric::Introspective;
  IsmConstants ism;
};

// semantic_a, uncertainty_a (A, D); semantic_b (B, D); uncertainty_b (B, D),
// or undefined for proxies (zero uncertainty) -> sim (A, B).
Tensor similarity(const SimilarityOptions& options, const Tensor& semantic_a, const Tensor& uncertainty_a,
                  const Tensor& semantic_b, const Tensor& uncertainty_b);

// The batch against itself: semantic, uncertainty (B, D) -> sim (B, B).
Tensor pairwise_similarity(const SimilarityOptions& options, const Tensor& semantic, const Tensor& uncertainty);

// sqrt(2 - 2 sim) elementwise, and exactly 0 (with a zero gradient) where
// 2 - 2 sim is at most coincidence_floor: a sample with itself, duplicates.
// There the square root's gradient would be infinite, and PML's distance of
// two equal normalised vectors is 0.
Tensor distance_from_similarity(const Tensor& sim);

// What 2 - 2 sim of two equal vectors can read in `dtype`: 16 ulps of
// rounding in the cosine plus twice the 1e-12 of the normalisation rule
// (docs/METHOD.md#2-model), which makes cos(s, s) = 1 - 1e-12 / |s|^2.
double coincidence_floor(DType dtype);

}  // namespace idml::train
