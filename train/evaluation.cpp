// Embedding a dataset with the network and scoring it (docs/METHOD.md#8-evaluation); see evaluation.h.
#include "train/evaluation.h"

#include <cstdio>

#include "data/batch_tensors.h"
#include "data/dataset_catalog.h"
#include "data/loader.h"
#include "engine/autograd.h"
#include "engine/constant_parameters.h"

namespace idml::train {

Embeddings compute_embeddings(models::IDMLNet& net, const data::Dataset& dataset, const data::Transform& transform,
                              const EmbedOptions& options) {
  const bool was_training = net.is_training();
  net.eval();
  NoGradGuard no_grad;
  const ConstantParameters constants;  // each BN folded once for the whole pass
  data::LoaderOptions loader_options;
  loader_options.threads = options.workers;
  data::DataLoader loader(dataset, transform, data::sequential_batches(dataset.size(), options.batch_size),
                          loader_options);
  Embeddings out;
  out.count = static_cast<int64_t>(dataset.size());
  data::Batch batch;
  while (loader.next(batch)) {
    const data::BatchTensors tensors = data::to_tensors(batch, options.device);
    const auto result = net.forward(tensors.images);
    const std::vector<float> s = result.semantic.to(Device::cpu()).to_vector<float>();
    const std::vector<float> u = result.uncertainty.to(Device::cpu()).to_vector<float>();
    out.dim = result.semantic.size(1);
    out.semantic.insert(out.semantic.end(), s.begin(), s.end());
    out.uncertainty.insert(out.uncertainty.end(), u.begin(), u.end());
    out.labels.insert(out.labels.end(), batch.labels.begin(), batch.labels.end());
  }
  net.train(was_training);
  return out;
}

metrics::EvaluationResult evaluate_embeddings(const Embeddings& e, const metrics::EvaluationOptions& options) {
  return metrics::evaluate(e.semantic.data(), e.labels.data(), e.count, e.dim, options);
}

metrics::EvaluationResult evaluate_embeddings(const Embeddings& queries, const Embeddings& gallery,
                                              const metrics::EvaluationOptions& options) {
  IDML_CHECK(queries.count == 0 || gallery.count == 0 || queries.dim == gallery.dim, "evaluate: queries of dimension ",
             queries.dim, " but gallery of dimension ", gallery.dim);
  return metrics::evaluate_query_gallery(queries.semantic.data(), queries.labels.data(), queries.count,
                                         gallery.semantic.data(), gallery.labels.data(), gallery.count, queries.dim,
                                         options);
}

metrics::EvaluationResult evaluate_splits(const RetrievalSplits& splits,
                                          const std::function<Embeddings(const data::Dataset&)>& embed,
                                          const metrics::EvaluationOptions& options) {
  const Embeddings queries = embed(*splits.queries);
  if (!splits.gallery) return evaluate_embeddings(queries, options);
  return evaluate_embeddings(queries, embed(*splits.gallery), options);
}

RetrievalSplits open_eval_splits(data::DatasetOptions options) {
  RetrievalSplits out;
  if (!data::searches_a_gallery(data::dataset_info(options.name))) {
    options.split = data::Split::Eval;
    out.queries = data::open_dataset(options);
    return out;
  }
  options.split = data::Split::Query;
  out.queries = data::open_dataset(options);
  options.split = data::Split::Gallery;
  out.gallery = data::open_dataset(options);
  return out;
}

std::string describe(const RetrievalSplits& splits) {
  auto part = [](const char* name, const data::Dataset& d) {
    return detail::concat(name, " ", d.size(), " images / ", d.num_classes(), " classes");
  };
  if (!splits.gallery) return part("eval", *splits.queries);
  return part("query", *splits.queries) + ", " + part("gallery", *splits.gallery);
}

metrics::EvaluationResult evaluate_embeddings(const Embeddings& e, const std::vector<int64_t>& recall_ks,
                                              uint64_t seed) {
  metrics::EvaluationOptions options;
  options.recall_ks = recall_ks;
  options.seed = seed;
  return evaluate_embeddings(e, options);
}

metrics::EvaluationOptions evaluation_options(const TrainConfig& config, Device device) {
  metrics::EvaluationOptions options;
  options.recall_ks = recall_ks_for(config.dataset);
  options.seed = config.seed;
  options.kmeans_restarts = config.kmeans_restarts;
  options.kmeans_max_iterations = config.kmeans_max_iterations;
  options.compute_clustering = clustering_enabled(config.clustering, config.dataset, device);
  options.device = device;
  return options;
}

std::string clustering_skipped_message(const std::string& dataset) {
  // Measured with bench/train/bench_sop_evaluation on the project's 2-core CPU (train/metrics/README.md).
  return "--clustering auto: NMI and F1 skipped for " + dataset +
         " on the CPU: its k-means (11,316 clusters over 60,502 x 512) costs about 12 min of CPU per restart "
         "for the seeding plus 18 s per Lloyd iteration, 2-4.5 h of CPU for the 10 restarts (extrapolated from "
         "a measured quarter-scale run, train/metrics/README.md). Use --clustering on (and --kmeans-restarts 1 "
         "for a tenth of that) to compute them anyway, or --device cuda (estimated 3-7 min on one H200)";
}

bool clustering_enabled(Clustering setting, data::DatasetId dataset, Device device) {
  if (setting != Clustering::Auto) return setting == Clustering::On;
  const bool costly = data::dataset_info(dataset).clustering_cost == data::ClusteringCost::hours_on_cpu;
  if (!costly || !device.is_cpu()) return true;
  std::fprintf(stderr, "%s\n", clustering_skipped_message(data::dataset_name(dataset)).c_str());
  return false;
}

std::string format_metrics(const metrics::EvaluationResult& result) {
  std::string out;
  char buffer[64];
  for (const auto& [name, value] : result.metrics) {
    std::snprintf(buffer, sizeof buffer, "%s%s %.2f", out.empty() ? "" : "  ", name.c_str(), 100.0 * value);
    out += buffer;
  }
  return out;
}

}  // namespace idml::train
