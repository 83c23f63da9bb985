// Embedding a dataset with the network (eval transform, inference mode, no
// graph) and scoring it with the metrics of docs/METHOD.md#8-evaluation: the eval split
// searched against itself, or (In-shop) the query split searched among the
// gallery split. Retrieval uses the semantic embedding only; the uncertainty
// embedding is kept for `idml embed`.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/transforms.h"
#include "models/idml_net.h"
#include "train/metrics/evaluate.h"
#include "train/train_config.h"

namespace idml::train {

struct Embeddings {
  int64_t count = 0, dim = 0;
  std::vector<float> semantic;     // (count, dim)
  std::vector<float> uncertainty;  // (count, dim)
  std::vector<int64_t> labels;     // (count)
};

// What one evaluation searches: a split searched against itself, or queries
// searched among a gallery (a dataset with query and gallery splits: Inshop).
struct RetrievalSplits {
  std::unique_ptr<data::Dataset> queries;  // the eval split itself, or the query split
  std::unique_ptr<data::Dataset> gallery;  // null: the queries search among themselves
};

// The eval split of dataset `options.name` (options.split is ignored), or its
// query and gallery splits where it has them.
RetrievalSplits open_eval_splits(data::DatasetOptions options);
// "eval 5924 images / 100 classes", "query 14218 images / 3985 classes, gallery 12612 images / 3985 classes".
std::string describe(const RetrievalSplits& splits);

struct EmbedOptions {
  int64_t batch_size = 64;
  int workers = 4;
  Device device = Device::cpu();
};

// Runs every sample of `dataset` through `net` in dataset order. Leaves the
// network's train/eval mode as it found it.
Embeddings compute_embeddings(models::IDMLNet& net, const data::Dataset& dataset, const data::Transform& transform,
                              const EmbedOptions& options);

// clustering on or off, or auto: on, except on a CPU for a dataset whose
// k-means is costly there (data/dataset_catalog.h: SOP, whose 10-restart
// k-means of 11,316 clusters over 60,502 points takes hours; train/metrics/
// README.md); on a GPU it is on. When auto turns it off, a message with the
// measured cost goes to stderr.
bool clustering_enabled(Clustering setting, data::DatasetId dataset, Device device = Device::cpu());
// The message clustering_enabled prints when auto skips SOP's k-means.
std::string clustering_skipped_message(const std::string& dataset);

// The metrics of `embeddings` with `options` (recall Ks, seed, k-means restarts
// and iterations, clustering on/off, device).
metrics::EvaluationResult evaluate_embeddings(const Embeddings& embeddings, const metrics::EvaluationOptions& options);
// The queries searched among the gallery (metrics::evaluate_query_gallery).
metrics::EvaluationResult evaluate_embeddings(const Embeddings& queries, const Embeddings& gallery,
                                              const metrics::EvaluationOptions& options);
// `splits` embedded with `embed` (compute_embeddings, or DataParallel::embed on N ranks) and scored.
metrics::EvaluationResult evaluate_splits(const RetrievalSplits& splits,
                                          const std::function<Embeddings(const data::Dataset&)>& embed,
                                          const metrics::EvaluationOptions& options);
// Defaults for the rest (clustering, 10 restarts, at most 300 iterations, CPU).
metrics::EvaluationResult evaluate_embeddings(const Embeddings& embeddings, const std::vector<int64_t>& recall_ks,
                                              uint64_t seed);
// Everything `idml train` evaluates with: the dataset's recall Ks, the seed,
// --kmeans-restarts / --kmeans-max-iterations, --clustering (for its device)
// and the run's device (the kNN and k-means GEMMs run there).
metrics::EvaluationOptions evaluation_options(const TrainConfig& config, Device device);

// "R@1 62.41  R@2 73.90 ... MAP@R 23.10" (percentages, as the paper reports them).
std::string format_metrics(const metrics::EvaluationResult& result);

}  // namespace idml::train
