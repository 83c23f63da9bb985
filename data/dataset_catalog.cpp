// The table of data/dataset_catalog.h.
#include "data/dataset_catalog.h"

#include "engine/error.h"

namespace idml::data {

const std::vector<DatasetInfo>& dataset_catalog() {
  static const std::vector<int64_t> paper_ks{1, 2, 4, 8}, sop_ks{1, 10, 100, 1000};
  static const std::vector<int64_t> inshop_ks{1, 10, 20, 30, 40, 50};  // the Proxy-Anchor code's
  static const std::vector<DatasetInfo> catalog{
      {DatasetId::Cub, "cub", {Split::Train, Split::Eval}, paper_ks, Benchmark::paper, ClusteringCost::moderate},
      {DatasetId::Cars, "cars", {Split::Train, Split::Eval}, paper_ks, Benchmark::paper, ClusteringCost::moderate},
      {DatasetId::Sop, "SOP", {Split::Train, Split::Eval}, sop_ks, Benchmark::paper, ClusteringCost::hours_on_cpu},
      // not in the paper (the Proxy-Anchor code's fourth benchmark); queries search the gallery
      {DatasetId::Inshop, "Inshop", {Split::Train, Split::Query, Split::Gallery}, inshop_ks, Benchmark::other,
       ClusteringCost::moderate},
      {DatasetId::Folder, "folder", {Split::Train, Split::Eval}, paper_ks, Benchmark::other, ClusteringCost::moderate},
      // seen: training classes, held-out images (the demo's generalisation check)
      {DatasetId::FashionMnist, "fashion-mnist", {Split::Train, Split::Eval, Split::Seen}, paper_ks, Benchmark::other,
       ClusteringCost::moderate},
  };
  return catalog;
}

const DatasetInfo& dataset_info(DatasetId id) {
  for (const DatasetInfo& info : dataset_catalog())
    if (info.id == id) return info;
  throw Error("dataset_info: unknown dataset id " + std::to_string(static_cast<int>(id)));
}

const DatasetInfo& dataset_info(const std::string& name) {
  std::string known;
  for (const DatasetInfo& info : dataset_catalog()) {
    if (info.name == name) return info;
    known += (known.empty() ? "" : ", ") + std::string(info.name);
  }
  throw Error("unknown dataset '" + name + "' (expected one of: " + known + ")");
}

const char* dataset_name(DatasetId id) { return dataset_info(id).name; }

bool has_split(const DatasetInfo& info, Split split) {
  for (Split s : info.splits)
    if (s == split) return true;
  return false;
}

bool searches_a_gallery(const DatasetInfo& info) { return has_split(info, Split::Gallery); }

}  // namespace idml::data
