// The dataset catalog (data/dataset_catalog.h): the splits and Recall@K lists
// the trainer, `idml eval` and `idml data check` take from it, and the
// by-name errors of open_dataset that it drives.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "data/dataset_catalog.h"
#include "engine/error.h"

namespace {

using idml::data::Benchmark;
using idml::data::ClusteringCost;
using idml::data::DatasetId;
using idml::data::Split;
using idml::data::dataset_info;

std::string error_of(const idml::data::DatasetOptions& options) {
  try {
    idml::data::open_dataset(options);
  } catch (const idml::Error& e) {
    return e.what();
  }
  return "";
}

TEST(DatasetCatalog, SplitsAndRecallKs) {
  EXPECT_EQ(dataset_info("fashion-mnist").splits, (std::vector<Split>{Split::Train, Split::Eval, Split::Seen}));
  for (const char* name : {"cub", "cars", "SOP", "folder"})
    EXPECT_EQ(dataset_info(name).splits, (std::vector<Split>{Split::Train, Split::Eval})) << name;
  EXPECT_EQ(dataset_info("Inshop").splits, (std::vector<Split>{Split::Train, Split::Query, Split::Gallery}));
  EXPECT_EQ(dataset_info(DatasetId::Sop).recall_ks, (std::vector<int64_t>{1, 10, 100, 1000}));
  EXPECT_EQ(dataset_info(DatasetId::Inshop).recall_ks, (std::vector<int64_t>{1, 10, 20, 30, 40, 50}));
  for (DatasetId id : {DatasetId::Cub, DatasetId::Cars, DatasetId::Folder, DatasetId::FashionMnist})
    EXPECT_EQ(dataset_info(id).recall_ks, (std::vector<int64_t>{1, 2, 4, 8})) << dataset_info(id).name;
  for (const char* name : {"cub", "cars", "SOP"}) EXPECT_EQ(dataset_info(name).benchmark, Benchmark::paper) << name;
  for (const char* name : {"folder", "fashion-mnist", "Inshop"})
    EXPECT_EQ(dataset_info(name).benchmark, Benchmark::other) << name;
  EXPECT_EQ(dataset_info("SOP").clustering_cost, ClusteringCost::hours_on_cpu);
  EXPECT_EQ(dataset_info("cub").clustering_cost, ClusteringCost::moderate);
  for (const auto& info : idml::data::dataset_catalog())
    EXPECT_EQ(idml::data::searches_a_gallery(info), info.id == DatasetId::Inshop) << info.name;
  // names and ids agree, in the order of dataset_names()
  ASSERT_EQ(idml::data::dataset_catalog().size(), idml::data::dataset_names().size());
  for (size_t i = 0; i < idml::data::dataset_names().size(); ++i) {
    const auto& info = idml::data::dataset_catalog()[i];
    EXPECT_EQ(info.name, idml::data::dataset_names()[i]);
    EXPECT_EQ(dataset_info(info.id).name, info.name);
  }
}

TEST(DatasetCatalog, UnknownNamesAndSplitsAreNamed) {
  try {
    dataset_info("imagenet");
    ADD_FAILURE() << "imagenet found";
  } catch (const idml::Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "unknown dataset 'imagenet' (expected one of: cub, cars, SOP, Inshop, folder, fashion-mnist)");
  }
  idml::data::DatasetOptions options;
  options.name = "cub";
  options.root = "/nonexistent";
  options.split = Split::Seen;
  EXPECT_EQ(error_of(options), "split 'seen' does not exist for 'cub' (its splits: train, eval)");
  options.name = "Inshop";
  options.split = Split::Eval;
  EXPECT_EQ(error_of(options), "split 'eval' does not exist for 'Inshop' (its splits: train, query, gallery)");
  options.name = "imagenet";
  EXPECT_NE(error_of(options).find("unknown dataset 'imagenet'"), std::string::npos);
}

}  // namespace
