// Embedding a dataset with the network (eval transform, inference mode, no
// graph) and scoring it with the metrics of SPEC §8. Retrieval uses the
// semantic embedding only; the uncertainty embedding is kept for `idml embed`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/transforms.h"
#include "models/idml_net.h"
#include "train/metrics/evaluate.h"

namespace idml::train {

struct Embeddings {
  int64_t count = 0, dim = 0;
  std::vector<float> semantic;     // (count, dim)
  std::vector<float> uncertainty;  // (count, dim)
  std::vector<int64_t> labels;     // (count)
};

struct EmbedOptions {
  int64_t batch_size = 64;
  int workers = 4;
  Device device = Device::cpu();
};

// Runs every sample of `dataset` through `net` in dataset order. Leaves the
// network's train/eval mode as it found it.
Embeddings compute_embeddings(models::IDMLNet& net, const data::Dataset& dataset, const data::Transform& transform,
                              const EmbedOptions& options);

// clustering: "on", "off", or "auto" (on, except for SOP, whose k-means over
// 11,316 classes and 60k points takes hours on a CPU).
metrics::EvaluationResult evaluate_embeddings(const Embeddings& embeddings, const std::vector<int64_t>& recall_ks,
                                              uint64_t seed, bool clustering = true);
bool clustering_enabled(const std::string& setting, const std::string& dataset);

// "R@1 62.41  R@2 73.90 ... MAP@R 23.10" (percentages, as the paper reports them).
std::string format_metrics(const metrics::EvaluationResult& result);

}  // namespace idml::train
