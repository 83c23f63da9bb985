// `idml metrics`: the evaluation metrics (docs/METHOD.md#8-evaluation) of any embeddings saved as
// .npy, e.g. by `idml embed` or by NumPy. Prints a table, or with --json one
// JSON object {"R@1": ..., ..., "NMI": ..., "F1": ..., "RP": ..., "MAP@R": ...}.
// Not here: the metric definitions (train/metrics/), computing embeddings.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/error.h"
#include "train/cli/commands.h"
#include "train/cli/options.h"
#include "train/metrics/evaluate.h"
#include "io/npy.h"

namespace idml::cli {
namespace {

struct MetricsArguments {
  std::string embeddings_path;
  std::string labels_path;
  std::vector<int64_t> recall_ks = {1, 2, 4, 8};
  bool json = false;
  uint64_t seed = 0;
  int restarts = 10, max_iterations = 300;
  bool no_clustering = false;
  DeviceChoice device;
};

int run_metrics(const MetricsArguments& args) {
  const npy::NpyArray<float> embeddings = npy::read_npy_float32(args.embeddings_path);
  const npy::NpyArray<int64_t> labels = npy::read_npy_int64(args.labels_path);
  IDML_CHECK(embeddings.shape.size() == 2, "idml metrics: ", args.embeddings_path,
             ": embeddings must be a 2-D (N, D) array, got ", embeddings.shape.size(), " dimensions");
  const int64_t n = embeddings.shape[0];
  const int64_t d = embeddings.shape[1];
  const bool labels_are_a_column = labels.shape.size() == 1 || (labels.shape.size() == 2 && labels.shape[1] == 1);
  IDML_CHECK(labels_are_a_column, "idml metrics: ", args.labels_path, ": labels must be a 1-D (N) array, got ",
             labels.shape.size(), " dimensions");
  IDML_CHECK(labels.shape[0] == n, "idml metrics: ", args.labels_path, " has ", labels.shape[0], " labels but ",
             args.embeddings_path, " has ", n, " embeddings");

  metrics::EvaluationOptions options;
  options.recall_ks = args.recall_ks;
  options.seed = args.seed;
  options.kmeans_restarts = args.restarts;
  options.kmeans_max_iterations = args.max_iterations;
  options.compute_clustering = !args.no_clustering;
  options.device = args.device.resolve();
  const metrics::EvaluationResult result =
      metrics::evaluate(embeddings.values.data(), labels.values.data(), n, d, options);

  if (args.json) {
    nlohmann::ordered_json object;
    for (const auto& [name, value] : result.metrics) object[name] = value;
    std::cout << object.dump() << "\n";
  } else {
    std::cout << n << " embeddings of dimension " << d << "; R@K over all " << n << " queries, RP and MAP@R over the "
              << result.scored_queries << " with a same-class sample\n";
    size_t width = 8;  // wider when a name is ("R@1000000"), so columns never run together
    for (const auto& entry : result.metrics) width = std::max(width, entry.first.size() + 2);
    for (const auto& [name, value] : result.metrics) {
      std::cout << std::left << std::setw(static_cast<int>(width)) << name << std::fixed << std::setprecision(4) << value << "\n";
    }
  }
  return 0;
}

}  // namespace

void add_metrics_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<MetricsArguments>();
  const CLI::Validator positive_integer(
      [](std::string& value) {
        try {
          if (std::stoll(value) >= 1) return std::string();
        } catch (const std::exception&) {
        }
        return "must be a positive integer, got '" + value + "'";
      },
      "POSITIVE");
  CLI::App* command = app.add_subcommand(
      "metrics", "Evaluation metrics (R@K, NMI, F1, RP, MAP@R) of embeddings saved as .npy");
  command->add_option("--embeddings", args->embeddings_path, "embeddings .npy, (N, D) float32 or float64")
      ->required();
  command->add_option("--labels", args->labels_path, "class labels .npy, (N) int64 or int32")->required();
  command->add_option("--ks", args->recall_ks, "comma-separated K values of Recall@K (SOP: 1,10,100,1000)")
      ->delimiter(',')
      ->check(positive_integer)
      ->capture_default_str();
  command->add_flag("--json", args->json, "print one JSON object instead of a table");
  command->add_option("--seed", args->seed, "k-means seed")->capture_default_str();
  command->add_option("--kmeans-restarts,--restarts", args->restarts, "k-means restarts (lowest inertia wins)")
      ->check(positive_integer)
      ->capture_default_str();
  command->add_option("--kmeans-max-iterations,--max-iterations", args->max_iterations,
                      "Lloyd iterations per restart at most")
      ->check(positive_integer)
      ->capture_default_str();
  args->device.add_to(*command);  // where the kNN and k-means GEMMs run
  command->add_flag("--no-clustering", args->no_clustering, "skip k-means, NMI and F1 (slow at SOP scale)");
  command->callback([args, &exit_code] { exit_code = run_metrics(*args); });
}

}  // namespace idml::cli
