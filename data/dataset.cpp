// Dataset base, file-backed datasets and the by-name factory; see dataset.h.
#include "data/dataset.h"

#include <set>
#include <stdexcept>

#include "data/dataset_catalog.h"
#include "data/dataset_layouts.h"
#include "data/decode.h"
#include "engine/error.h"

namespace idml::data {

Split parse_split(const std::string& name) {
  if (name == "train") return Split::Train;
  if (name == "eval" || name == "test") return Split::Eval;
  if (name == "seen") return Split::Seen;
  if (name == "query") return Split::Query;
  if (name == "gallery") return Split::Gallery;
  throw Error("unknown split '" + name + "' (expected train, eval, seen, query or gallery)");
}

const char* split_name(Split split) {
  switch (split) {
    case Split::Train: return "train";
    case Split::Eval: return "eval";
    case Split::Seen: return "seen";
    case Split::Query: return "query";
    case Split::Gallery: return "gallery";
  }
  return "?";
}

std::vector<int64_t> Dataset::labels() const {
  std::vector<int64_t> out(size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = label(i);
  return out;
}

size_t Dataset::num_classes() const {
  const std::vector<int64_t> all = labels();
  return std::set<int64_t>(all.begin(), all.end()).size();
}

ImageFileDataset::ImageFileDataset(std::vector<std::string> paths, std::vector<int64_t> labels)
    : paths_(std::move(paths)), labels_(std::move(labels)) {
  IDML_CHECK(paths_.size() == labels_.size(), "ImageFileDataset: ", paths_.size(), " paths but ",
             labels_.size(), " labels");
}

Image ImageFileDataset::load(size_t index) const { return decode_image_file(paths_.at(index)); }

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const DatasetInfo& info : dataset_catalog()) out.push_back(info.name);
    return out;
  }();
  return names;
}

std::unique_ptr<Dataset> open_dataset(const DatasetOptions& options) {
  const DatasetInfo& info = dataset_info(options.name);  // throws naming the known ones
  bool has_split = false;
  std::string splits;
  for (Split split : info.splits) {
    has_split = has_split || split == options.split;
    splits += (splits.empty() ? "" : ", ") + std::string(split_name(split));
  }
  IDML_CHECK(has_split, "split '", split_name(options.split), "' does not exist for '", options.name, "' (its splits: ",
             splits, ")");
  if (options.name != "fashion-mnist") {
    IDML_CHECK(!options.root.empty(), "dataset '", options.name, "' needs --data-root");
  }
  if (options.name == "cub") return open_cub(options.root, options.split);
  if (options.name == "cars") return open_cars(options.root, options.split);
  if (options.name == "SOP") return open_sop(options.root, options.split);
  if (options.name == "Inshop") return open_inshop(options.root, options.split);
  if (options.name == "folder") return open_image_folder(options.root, options.split, options.train_classes);
  if (options.name == "fashion-mnist") {
    return open_fashion_mnist(options.root, options.split, options.per_class_cap);
  }
  throw Error("open_dataset: no reader for '" + options.name + "'");
}

}  // namespace idml::data
