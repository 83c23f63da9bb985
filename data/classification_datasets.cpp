// open_classification_dataset: the classification task's data sets by name.
#include "data/classification_datasets.h"

#include <filesystem>

#include "data/dataset_layouts.h"
#include "engine/error.h"

namespace fs = std::filesystem;

namespace idml::data {

namespace {

// ImageNet as torchvision's ImageFolder on train/ and val/; val's class folders must equal train's.
std::unique_ptr<Dataset> open_imagenet(const std::string& root, Split split) {
  const std::string layout = "  " + root + "/train/<class folder>/<image>\n  " + root +
                             "/val/<class folder>/<image>  (the same class folders, e.g. n01440764)";
  const ImageFolderListing train = list_image_folder((fs::path(root) / "train").string(), layout);
  if (split == Split::Train) return std::make_unique<ImageFileDataset>(train.paths, train.labels);
  const ImageFolderListing val = list_image_folder((fs::path(root) / "val").string(), layout);
  IDML_CHECK(val.class_names == train.class_names, root, "/val has ", val.class_names.size(),
             " class folders that differ from train's ", train.class_names.size(), "\nexpected layout:\n", layout);
  return std::make_unique<ImageFileDataset>(val.paths, val.labels);
}

}  // namespace

const std::vector<std::string>& classification_dataset_names() {
  static const std::vector<std::string> names{"cifar10", "cifar100", "imagenet", "fashion-mnist"};
  return names;
}

std::unique_ptr<Dataset> open_classification_dataset(const std::string& name, const std::string& root, Split split) {
  IDML_CHECK(split == Split::Train || split == Split::Eval, "split '", split_name(split),
             "' exists only for retrieval datasets; classification has train and eval");
  if (name == "fashion-mnist") return open_fashion_mnist(root, split, 0, FashionMnistTask::classification);
  IDML_CHECK(!root.empty(), "--data-root is required for --dataset ", name);
  if (name == "cifar10") return open_cifar(root, 10, split);
  if (name == "cifar100") return open_cifar(root, 100, split);
  if (name == "imagenet") return open_imagenet(root, split);
  std::string known;
  for (const auto& n : classification_dataset_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error("--dataset: unknown classification dataset '" + name + "' (choose " + known + ")");
}

}  // namespace idml::data
