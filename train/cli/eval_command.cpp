// `idml eval`: the metrics (docs/METHOD.md#8-evaluation) of a checkpoint on a dataset's eval
// split, or In-shop's queries among its gallery (and on `seen` where the
// dataset has it), with Recall@1 per class in the JSON. Reads our checkpoints
// and the reference's PyTorch ones; the backbone and the embedding size come
// from the file itself.
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "data/dataset_catalog.h"
#include "models/trained_net.h"
#include "train/cli/commands.h"
#include "train/cli/options.h"
#include "train/evaluation.h"
#include "train/train_config.h"

namespace idml::cli {

namespace {

// [{"label": 0, "queries": 30, "R@1": 0.9}, ...] by label.
nlohmann::json per_class_json(const std::vector<metrics::ClassRecall>& classes) {
  nlohmann::json out = nlohmann::json::array();
  for (const metrics::ClassRecall& c : classes)
    out.push_back({{"label", c.label}, {"queries", c.queries}, {"R@1", c.recall_at_1}});
  return out;
}

struct EvalArguments {
  std::string checkpoint, data_root;
  data::DatasetId dataset = data::DatasetId::Cub;
  train::Clustering clustering = train::Clustering::Auto;
  InferencePrecision precision = InferencePrecision::Float32;
  DeviceChoice device;
  int image_size = 224, resize_size = 256, workers = 4, per_class_cap = 0, train_classes = 0;
  int kmeans_restarts = 10, kmeans_max_iterations = 300;
  int64_t batch_size = 64;
  bool json = false;
  uint64_t seed = 0;
};
}  // namespace

void add_eval_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("eval", "Evaluate a checkpoint (ours or the reference's) on a dataset");
  auto args = std::make_shared<EvalArguments>();
  cmd->add_option("--checkpoint", args->checkpoint, "model weights: .safetensors or .pth")->required();
  add_choice_option(*cmd, "--dataset", args->dataset, "cub | cars | SOP | Inshop | folder | fashion-mnist",
                    HelpDefault::hidden)
      ->required();
  cmd->add_option("--data-root", args->data_root, "folder holding the dataset");
  cmd->add_option("--image-size", args->image_size, "centre crop size")->capture_default_str()->check(CLI::Range(1, 2048));
  cmd->add_option("--resize-size", args->resize_size, "shorter side before the crop")->capture_default_str()->check(CLI::Range(1, 2048));
  cmd->add_option("--batch-size", args->batch_size, "images per forward pass")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--workers", args->workers, "data loader threads")->capture_default_str();
  cmd->add_option("--per-class-cap", args->per_class_cap, "fashion-mnist: images per class");
  cmd->add_option("--train-classes", args->train_classes, "folder: classes in the train split");
  args->device.add_to(*cmd);
  cmd->add_option("--seed", args->seed, "k-means seed")->capture_default_str();
  add_choice_option(*cmd, "--clustering", args->clustering,
                    "NMI and F1 by k-means: auto (off for SOP on a CPU) | on | off");
  cmd->add_option("--kmeans-restarts,--restarts", args->kmeans_restarts, "k-means restarts, lowest inertia wins")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--kmeans-max-iterations,--max-iterations", args->kmeans_max_iterations,
                  "Lloyd iterations per restart at most")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  add_choice_option(*cmd, "--precision", args->precision, "inference convolutions: fp32, or bf16 on CPUs with AVX512-BF16 or AMX (float32 sums)");
  cmd->add_flag("--json", args->json, "print one JSON object");
  cmd->callback([args, &exit_code] {
    const Device device = args->device.resolve();
    const ReducedPrecisionInference precision(args->precision, device);
    const data::DatasetInfo& dataset = data::dataset_info(args->dataset);
    metrics::EvaluationOptions evaluation;
    evaluation.recall_ks = dataset.recall_ks;
    evaluation.seed = args->seed;
    evaluation.kmeans_restarts = args->kmeans_restarts;
    evaluation.kmeans_max_iterations = args->kmeans_max_iterations;
    evaluation.compute_clustering = train::clustering_enabled(args->clustering, args->dataset, device);
    evaluation.device = device;  // the kNN and k-means GEMMs too
    const auto net = models::load_trained_net(args->checkpoint, device);

    data::DatasetOptions options;
    options.name = dataset.name;
    options.root = args->data_root;
    options.per_class_cap = args->per_class_cap;
    options.train_classes = args->train_classes;
    data::TransformOptions transform_options;
    transform_options.image_size = args->image_size;
    transform_options.resize_size = args->resize_size;
    const data::EvalTransform transform(transform_options);
    const train::EmbedOptions embed_options{args->batch_size, args->workers, device};

    nlohmann::json out = {{"checkpoint", args->checkpoint}, {"model", net->config().backbone},
                          {"embedding_size", net->config().embedding_size},
                          {"precision", train::choice_name(args->precision)}};
    auto embed = [&](const data::Dataset& split) {
      return train::compute_embeddings(*net, split, transform, embed_options);
    };
    auto report = [&](const char* name, const std::string& images, const metrics::EvaluationResult& result) {
      nlohmann::json metrics = nlohmann::json::object();
      for (const auto& [metric, value] : result.metrics) metrics[metric] = value;
      out[name] = metrics;
      out["per_class"][name] = per_class_json(result.per_class);
      if (!args->json) std::printf("%s (%s): %s\n", name, images.c_str(), train::format_metrics(result).c_str());
    };
    const train::RetrievalSplits eval = train::open_eval_splits(options);
    report("eval", eval.gallery ? detail::concat(eval.queries->size(), " queries among ", eval.gallery->size(),
                                                 " gallery images")
                                : detail::concat(eval.queries->size(), " images"),
           train::evaluate_splits(eval, embed, evaluation));
    if (data::has_split(dataset, data::Split::Seen)) {
      options.split = data::Split::Seen;
      const auto seen = data::open_dataset(options);
      report("seen", detail::concat(seen->size(), " images"), train::evaluate_embeddings(embed(*seen), evaluation));
    }
    if (args->json) std::cout << out.dump() << "\n";
    exit_code = 0;
  });
}

}  // namespace idml::cli
