// `idml data check --dataset NAME --data-root DIR [--json]`: opens every split
// of a dataset (docs/METHOD.md#7-data layouts), decodes every image, and prints per split
// the number of images and classes plus any file that does not decode. With
// --json one object: {"dataset":..., "train":{"images":N,"classes":C},
// "eval":{...}, ["seen":{...},] "unreadable":[paths]}. Exit code 0 only when
// every image decodes; a wrong layout is an error naming what is missing.
// Not here: the datasets themselves (data/).
#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "data/dataset_catalog.h"
#include "data/dataset_check.h"
#include "train/cli/commands.h"

namespace idml::cli {
namespace {

struct DataCheckArguments {
  data::DatasetOptions dataset;
  bool json = false;
  int threads = 0;
};

int run_data_check(const DataCheckArguments& args) {
  const std::vector<data::Split>& splits = data::dataset_info(args.dataset.name).splits;
  const int threads = args.threads > 0 ? args.threads : std::max(1u, std::thread::hardware_concurrency());

  nlohmann::ordered_json report;
  report["dataset"] = args.dataset.name;
  std::vector<std::string> unreadable;
  for (const data::Split split : splits) {
    data::DatasetOptions options = args.dataset;
    options.split = split;
    const auto dataset = data::open_dataset(options);
    const data::DatasetCheck check = data::check_dataset(*dataset, threads);
    report[data::split_name(split)] = {{"images", check.images}, {"classes", check.classes}};
    if (!args.json) {
      std::cout << data::split_name(split) << ": " << check.images << " images, " << check.classes
                << " classes, " << check.unreadable.size() << " unreadable\n";
      for (const auto& reason : check.reasons) std::cout << "  unreadable: " << reason << "\n";
    }
    for (const auto& path : check.unreadable) {
      if (std::find(unreadable.begin(), unreadable.end(), path) == unreadable.end()) unreadable.push_back(path);
    }
  }
  report["unreadable"] = unreadable;
  if (args.json) std::cout << report.dump() << "\n";
  else std::cout << (unreadable.empty() ? "all images decode\n" : "some images do not decode\n");
  return unreadable.empty() ? 0 : 1;
}

}  // namespace

void add_data_command(CLI::App& app, int& exit_code) {
  CLI::App* data_command = app.add_subcommand("data", "Inspect datasets (docs/METHOD.md#7-data layouts)");
  data_command->require_subcommand(1);
  auto args = std::make_shared<DataCheckArguments>();
  CLI::App* check = data_command->add_subcommand(
      "check", "Decode every image of a dataset; print images and classes per split and unreadable files");
  std::string names;
  for (const auto& n : data::dataset_names()) names += (names.empty() ? "" : ", ") + n;
  check->add_option("--dataset", args->dataset.name, "Dataset: " + names)->required();
  check->add_option("--data-root", args->dataset.root,
                    "Folder holding the dataset (fashion-mnist: default /usr/share/datasets/fashion-mnist)");
  check->add_option("--train-classes", args->dataset.train_classes,
                    "folder: number of classes in the train split (default: first half)");
  check->add_option("--per-class-cap", args->dataset.per_class_cap,
                    "fashion-mnist: at most this many images per class (0 = all)");
  check->add_option("--threads", args->threads, "Decoding threads (default: all cores)");
  check->add_flag("--json", args->json, "Print one JSON object");
  check->callback([args, &exit_code] { exit_code = run_data_check(*args); });
}

}  // namespace idml::cli
