// In-shop Clothes Retrieval (DeepFashion): Inshop_Clothes/Eval/list_eval_partition.txt
// and the images it lists under Inshop_Clothes/Img/ (25,882 train images of
// 3,997 items; 14,218 query and 12,612 gallery images of 3,985 other items).
// Three splits: train, query, gallery (inshop_partition.h has the labels).
// Queries are searched among the gallery (docs/METHOD.md#8-evaluation); this
// file only lists the images.
#include <filesystem>
#include <fstream>

#include "data/dataset_layouts.h"
#include "data/inshop_partition.h"
#include "engine/error.h"

namespace fs = std::filesystem;

namespace idml::data {

std::unique_ptr<Dataset> open_inshop(const std::string& root, Split split) {
  IDML_CHECK(split == Split::Train || split == Split::Query || split == Split::Gallery, "Inshop has no split '",
             split_name(split), "' (its splits: train, query, gallery)");
  const fs::path dir = fs::path(root) / "Inshop_Clothes";
  const std::string layout = "  " + root + "/Inshop_Clothes/Eval/list_eval_partition.txt\n  " + root +
      "/Inshop_Clothes/Img/img/WOMEN/Dresses/id_00000002/02_1_front.jpg  (paths as listed in the file)\n"
      "  (DeepFashion's In-shop Clothes Retrieval Benchmark: its Eval/ and Img/ folders in one folder named "
      "Inshop_Clothes, img.zip unpacked into Img/)";
  std::error_code ec;
  IDML_CHECK(fs::is_directory(dir, ec), "missing folder ", dir.string(), "\nexpected layout:\n", layout);
  const fs::path list = dir / "Eval" / "list_eval_partition.txt";
  std::ifstream in(list);
  IDML_CHECK(in.good(), "missing ", list.string(), "\nexpected layout:\n", layout);
  const InshopPartition partition = parse_inshop_partition(in, list.string());
  const std::vector<InshopImage>& images = split == Split::Train   ? partition.train
                                           : split == Split::Query ? partition.query
                                                                   : partition.gallery;
  IDML_CHECK(!images.empty(), list.string(), " lists no '", split_name(split), "' images");
  std::vector<std::string> paths;
  std::vector<int64_t> labels;
  for (const InshopImage& image : images) {
    paths.push_back((dir / "Img" / image.name).string());
    labels.push_back(image.label);
  }
  require_files_exist(paths, list.string(), layout);
  return std::make_unique<ImageFileDataset>(std::move(paths), std::move(labels));
}

}  // namespace idml::data
