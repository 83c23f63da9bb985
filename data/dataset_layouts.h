// One opener per dataset layout of docs/METHOD.md#7-data (used by open_dataset; each lives
// in its own file: cub_dataset.cpp, cars_dataset.cpp, sop_dataset.cpp,
// inshop_dataset.cpp, image_folder.cpp, fashion_mnist.cpp).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace idml::data {

std::unique_ptr<Dataset> open_cub(const std::string& root, Split split);
std::unique_ptr<Dataset> open_cars(const std::string& root, Split split);
std::unique_ptr<Dataset> open_sop(const std::string& root, Split split);
// split: Train, Query or Gallery.
std::unique_ptr<Dataset> open_inshop(const std::string& root, Split split);
std::unique_ptr<Dataset> open_image_folder(const std::string& root, Split split, int train_classes);
// retrieval: classes 0-4 train (train file) and seen (test file), 5-9 eval
// (test file). classification: train = every train-file image, eval = every
// test-file image.
enum class FashionMnistTask { retrieval, classification };
std::unique_ptr<Dataset> open_fashion_mnist(const std::string& root, Split split, int per_class_cap,
                                            FashionMnistTask task = FashionMnistTask::retrieval);

// torchvision.datasets.ImageFolder's listing of `dir`: class sub-folders in
// sorted order (label = position), files found recursively (os.walk order,
// sorted) with an image extension. Symbolic links to folders are followed,
// except to a folder already on the path from the dataset root (a loop such as
// c0/loop -> ..): those are skipped and counted (and reported on stderr). A
// folder that cannot be read is an error with the system's reason.
struct ImageFolderListing {
  std::vector<std::string> class_names;
  std::vector<std::string> paths;
  std::vector<int64_t> labels;
  size_t skipped_loops = 0;
};
ImageFolderListing list_image_folder(const std::string& dir, const std::string& expected_layout);

// Throws, naming up to a few of them, if any listed file does not exist.
void require_files_exist(const std::vector<std::string>& paths, const std::string& listed_in,
                         const std::string& expected_layout);

}  // namespace idml::data
