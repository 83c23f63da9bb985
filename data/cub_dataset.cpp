// CUB-200-2011: CUB_200_2011/images/<class dir>/*.jpg as an ImageFolder; the
// first 100 classes in sorted order train (5,864 images), the last 100 eval
// (5,924). Files whose names start with "._" (macOS resource forks) are skipped.
#include <filesystem>

#include "data/dataset_layouts.h"
#include "engine/error.h"

namespace idml::data {

std::unique_ptr<Dataset> open_cub(const std::string& root, Split split) {
  const std::string images = (std::filesystem::path(root) / "CUB_200_2011" / "images").string();
  const std::string layout = "  " + root +
      "/CUB_200_2011/images/001.Black_footed_Albatross/Black_Footed_Albatross_0001_796111.jpg\n"
      "  ... (200 class folders, the official CUB_200_2011.tgz unpacked into --data-root)";
  const ImageFolderListing listing = list_image_folder(images, layout);
  IDML_CHECK(listing.class_names.size() > 100, images, " has ", listing.class_names.size(),
             " class folders; CUB needs 200 (100 train + 100 eval)\nexpected layout:\n", layout);
  std::vector<std::string> paths;
  std::vector<int64_t> labels;
  for (size_t i = 0; i < listing.paths.size(); ++i) {
    const std::string name = std::filesystem::path(listing.paths[i]).filename().string();
    if (name.compare(0, 2, "._") == 0) continue;
    if ((listing.labels[i] < 100) == (split == Split::Train)) {
      paths.push_back(listing.paths[i]);
      labels.push_back(listing.labels[i]);
    }
  }
  return std::make_unique<ImageFileDataset>(std::move(paths), std::move(labels));
}

}  // namespace idml::data
