// What the rest of the program knows about each dataset of docs/METHOD.md#7-data, by name:
// which splits it has (and so how it is evaluated: an eval split searched
// against itself, or queries searched among a gallery), its Recall@K list
// (docs/METHOD.md#8-evaluation, the paper's tables) and whether it is one of
// the paper's. The trainer, `idml eval` and `idml data check` ask here instead
// of testing names.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace idml::data {

enum class DatasetId { Cub, Cars, Sop, Inshop, Folder, FashionMnist };
// paper: cub, cars, SOP, whose recipes start from ImageNet weights (docs/METHOD.md#2-model).
enum class Benchmark { paper, other };
// hours_on_cpu: SOP, 11,316 clusters over 60,502 points.
enum class ClusteringCost { moderate, hours_on_cpu };

struct DatasetInfo {
  DatasetId id;
  const char* name;                 // the --dataset spelling
  std::vector<Split> splits;        // every split open_dataset opens, train first
  std::vector<int64_t> recall_ks;   // SOP 1, 10, 100, 1000; Inshop 1, 10, 20, 30, 40, 50; the others 1, 2, 4, 8
  Benchmark benchmark;
  ClusteringCost clustering_cost;   // of k-means (NMI, F1) on the eval split
};

// Every dataset open_dataset knows, in the order of help texts.
const std::vector<DatasetInfo>& dataset_catalog();
const DatasetInfo& dataset_info(DatasetId id);
// Throws idml::Error "unknown dataset 'NAME' (expected one of: cub, cars, ...)".
const DatasetInfo& dataset_info(const std::string& name);
const char* dataset_name(DatasetId id);

bool has_split(const DatasetInfo& info, Split split);
// Evaluated by searching its query split among its gallery split (Inshop), not
// its eval split against itself.
bool searches_a_gallery(const DatasetInfo& info);

}  // namespace idml::data
