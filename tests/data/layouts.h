// Small on-disk dataset layouts for the dataset tests, written into a fresh
// temporary directory: ImageFolder trees, CUB, Cars196 (cars_annos.mat written
// with matio in the real file's structure), SOP text files, Fashion-MNIST IDX.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace idml::data::testing {

// open_dataset on dataset `name` under `root`, with the options the tests vary.
inline std::unique_ptr<Dataset> open_at(const std::string& name, const std::string& root, Split split,
                                        int train_classes = 0, int per_class_cap = 0) {
  DatasetOptions options;
  options.name = name;
  options.root = root;
  options.split = split;
  options.train_classes = train_classes;
  options.per_class_cap = per_class_cap;
  return open_dataset(options);
}

// A temporary directory removed with its contents at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& relative) const { return (path_ / relative).string(); }

 private:
  std::filesystem::path path_;
};

// Copies a small valid PNG (golden/in_c.png) to `path`, creating folders.
void write_image(const std::string& path);
void write_text(const std::string& path, const std::string& text);

// `classes` folders named class_000 ... each with `per_class` images.
void make_image_folder(const std::string& dir, int classes, int per_class);

struct CarAnnotation {
  std::string relative_im_path;
  int class_id;  // 1-based
  int test;
};
// cars_annos.mat with a 1 x N struct array `annotations` (relative_im_path,
// bbox_x1, bbox_y1, bbox_x2, bbox_y2, class, test) like the real file;
// `compressed` writes MATLAB v7 (zlib) instead of v5. `omit_field` leaves one out.
void write_cars_annos(const std::string& path, const std::vector<CarAnnotation>& annotations,
                      bool compressed, const std::string& omit_field = "");

// IDX files: images (n, rows, cols) and labels (n), gzip-compressed.
void write_idx_images(const std::string& path, int count, int rows, int cols,
                      const std::vector<uint8_t>& pixels);
void write_idx_labels(const std::string& path, const std::vector<uint8_t>& labels);

}  // namespace idml::data::testing
