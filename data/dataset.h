// Datasets of docs/METHOD.md#7-data: an indexable list of (image, label). A Dataset knows
// where each sample comes from (a file path, or a record of an IDX file) and
// how to decode it to 8-bit RGB; transforms and batching live elsewhere.
//
//   auto train = open_dataset({.name = "cub", .root = "/data", .split = Split::Train});
//   Image image = train->load(0);  int64_t y = train->label(0);
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/image.h"

namespace idml::data {

// Eval: the unseen classes, searched against themselves. Seen: held-out images
// of the training classes (Fashion-MNIST). Query, Gallery: the unseen classes
// of a dataset whose queries are searched among a gallery (Inshop).
enum class Split { Train, Eval, Seen, Query, Gallery };

// "train", "eval" (also "test"), "seen", "query", "gallery".
Split parse_split(const std::string& name);
const char* split_name(Split split);

struct DatasetOptions {
  std::string name;        // cub | cars | SOP | Inshop | folder | fashion-mnist
  std::string root;        // --data-root; for fashion-mnist empty means Debian's install path
  Split split = Split::Train;
  int train_classes = 0;   // folder: classes in the train split (0 = first half)
  int per_class_cap = 0;   // fashion-mnist: at most this many images per class (0 = all)
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual size_t size() const = 0;
  // 0-based class index; eval splits keep their own ids (only equality matters).
  virtual int64_t label(size_t index) const = 0;
  // Decoded RGB; throws idml::Error naming source(index) when it cannot.
  virtual Image load(size_t index) const = 0;
  // Where the sample comes from (file path, or "file#record"), for messages.
  virtual std::string source(size_t index) const = 0;

  std::vector<int64_t> labels() const;
  size_t num_classes() const;  // distinct labels
};

// Samples that are image files on disk.
class ImageFileDataset : public Dataset {
 public:
  ImageFileDataset(std::vector<std::string> paths, std::vector<int64_t> labels);
  size_t size() const override { return paths_.size(); }
  int64_t label(size_t index) const override { return labels_.at(index); }
  Image load(size_t index) const override;
  std::string source(size_t index) const override { return paths_.at(index); }

 private:
  std::vector<std::string> paths_;
  std::vector<int64_t> labels_;
};

// The dataset `options.name`, split `options.split`, from `options.root`.
// A wrong layout is an idml::Error naming what is missing and the expected layout.
std::unique_ptr<Dataset> open_dataset(const DatasetOptions& options);

// The names open_dataset accepts, for help texts.
const std::vector<std::string>& dataset_names();

}  // namespace idml::data
