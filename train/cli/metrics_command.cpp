// `idml metrics`: the evaluation metrics (docs/METHOD.md#8-evaluation) of any embeddings saved as
// .npy, e.g. by `idml embed` or by NumPy: one set searched against itself
// (--embeddings/--labels), or queries searched among a gallery
// (--query-embeddings/--query-labels/--gallery-embeddings/--gallery-labels).
// Prints a table, or with --json one JSON object
// {"R@1": ..., ..., "NMI": ..., "F1": ..., "RP": ..., "MAP@R": ...}.
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
  std::string query_embeddings_path, query_labels_path, gallery_embeddings_path, gallery_labels_path;
  std::vector<int64_t> recall_ks = {1, 2, 4, 8};
  bool json = false;
  uint64_t seed = 0;
  int restarts = 10, max_iterations = 300;
  bool no_clustering = false;
  DeviceChoice device;
};

// Embeddings (N, D) and their labels (N) from two .npy files, checked against each other.
struct LabelledEmbeddings {
  npy::NpyArray<float> embeddings;
  npy::NpyArray<int64_t> labels;
  int64_t n = 0, d = 0;
};

LabelledEmbeddings read_labelled(const std::string& embeddings_path, const std::string& labels_path) {
  LabelledEmbeddings out;
  out.embeddings = npy::read_npy_float32(embeddings_path);
  out.labels = npy::read_npy_int64(labels_path);
  IDML_CHECK(out.embeddings.shape.size() == 2, "idml metrics: ", embeddings_path,
             ": embeddings must be a 2-D (N, D) array, got ", out.embeddings.shape.size(), " dimensions");
  out.n = out.embeddings.shape[0];
  out.d = out.embeddings.shape[1];
  const auto& shape = out.labels.shape;
  const bool labels_are_a_column = shape.size() == 1 || (shape.size() == 2 && shape[1] == 1);
  IDML_CHECK(labels_are_a_column, "idml metrics: ", labels_path, ": labels must be a 1-D (N) array, got ",
             shape.size(), " dimensions");
  IDML_CHECK(shape[0] == out.n, "idml metrics: ", labels_path, " has ", shape[0], " labels but ", embeddings_path,
             " has ", out.n, " embeddings");
  return out;
}

// Either --embeddings and --labels, or the four query/gallery files; names what is missing or mixed.
bool query_gallery_mode(const MetricsArguments& args) {
  const bool single = !args.embeddings_path.empty() || !args.labels_path.empty();
  const int parts = !args.query_embeddings_path.empty() + !args.query_labels_path.empty() +
                    !args.gallery_embeddings_path.empty() + !args.gallery_labels_path.empty();
  IDML_CHECK(!(single && parts > 0), "idml metrics: give either --embeddings and --labels (one set searched against "
             "itself) or --query-embeddings, --query-labels, --gallery-embeddings and --gallery-labels, not both");
  if (parts > 0) {
    IDML_CHECK(parts == 4, "idml metrics: queries among a gallery need all four of --query-embeddings, "
               "--query-labels, --gallery-embeddings and --gallery-labels");
    return true;
  }
  IDML_CHECK(!args.embeddings_path.empty() && !args.labels_path.empty(),
             "idml metrics: --embeddings and --labels are required (or the four --query-*/--gallery-* files)");
  return false;
}

int run_metrics(const MetricsArguments& args) {
  metrics::EvaluationOptions options;
  options.recall_ks = args.recall_ks;
  options.seed = args.seed;
  options.kmeans_restarts = args.restarts;
  options.kmeans_max_iterations = args.max_iterations;
  options.compute_clustering = !args.no_clustering;
  options.device = args.device.resolve();
  metrics::EvaluationResult result;
  std::string summary;
  if (query_gallery_mode(args)) {
    const LabelledEmbeddings queries = read_labelled(args.query_embeddings_path, args.query_labels_path);
    const LabelledEmbeddings gallery = read_labelled(args.gallery_embeddings_path, args.gallery_labels_path);
    IDML_CHECK(queries.d == gallery.d, "idml metrics: ", args.query_embeddings_path, " has dimension ", queries.d,
               " but ", args.gallery_embeddings_path, " has dimension ", gallery.d);
    result = metrics::evaluate_query_gallery(queries.embeddings.values.data(), queries.labels.values.data(), queries.n,
                                             gallery.embeddings.values.data(), gallery.labels.values.data(), gallery.n,
                                             queries.d, options);
    summary = detail::concat(queries.n, " queries among ", gallery.n, " gallery embeddings of dimension ", queries.d,
                             "; R@K over all ", queries.n, " queries, RP and MAP@R over the ", result.scored_queries,
                             " whose class is in the gallery");
  } else {
    const LabelledEmbeddings set = read_labelled(args.embeddings_path, args.labels_path);
    result = metrics::evaluate(set.embeddings.values.data(), set.labels.values.data(), set.n, set.d, options);
    summary = detail::concat(set.n, " embeddings of dimension ", set.d, "; R@K over all ", set.n,
                             " queries, RP and MAP@R over the ", result.scored_queries, " with a same-class sample");
  }

  if (args.json) {
    nlohmann::ordered_json object;
    for (const auto& [name, value] : result.metrics) object[name] = value;
    std::cout << object.dump() << "\n";
  } else {
    std::cout << summary << "\n";
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
      "metrics", "Evaluation metrics (R@K, NMI, F1, RP, MAP@R) of embeddings saved as .npy (one set, or queries among a gallery)");
  command->add_option("--embeddings", args->embeddings_path, "embeddings .npy, (N, D) float32 or float64");
  command->add_option("--labels", args->labels_path, "class labels .npy, (N) int64 or int32");
  command->add_option("--query-embeddings", args->query_embeddings_path,
                      "queries .npy, (Q, D), searched among the gallery (instead of --embeddings)");
  command->add_option("--query-labels", args->query_labels_path, "class labels of the queries .npy, (Q)");
  command->add_option("--gallery-embeddings", args->gallery_embeddings_path, "gallery .npy, (G, D)");
  command->add_option("--gallery-labels", args->gallery_labels_path, "class labels of the gallery .npy, (G)");
  command->add_option("--ks", args->recall_ks, "comma-separated K values of Recall@K (SOP: 1,10,100,1000; In-shop: 1,10,20,30,40,50)")
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
