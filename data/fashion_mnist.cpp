// Fashion-MNIST from its four IDX files (gzip-compressed, read with zlib;
// gzread also reads them uncompressed). By default from where Debian's
// dataset-fashion-mnist package installs them. Splits: train = classes 0-4 of
// the train files (30,000), eval = classes 5-9 of the test files (5,000), seen =
// classes 0-4 of the test files (5,000). 28x28 grey, replicated to RGB.
#include <array>
#include <filesystem>
#include <memory>
#include <string>

#include <zlib.h>

#include "data/dataset_layouts.h"
#include "engine/error.h"

namespace fs = std::filesystem;

namespace idml::data {
namespace {

constexpr const char* kDefaultRoot = "/usr/share/datasets/fashion-mnist";

std::vector<uint8_t> read_gzip(const std::string& path) {
  std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), &gzclose);
  IDML_CHECK(file != nullptr, "cannot open ", path);
  std::vector<uint8_t> out;
  std::vector<uint8_t> chunk(1 << 20);
  int got = 0;
  while ((got = gzread(file.get(), chunk.data(), static_cast<unsigned>(chunk.size()))) > 0) {
    out.insert(out.end(), chunk.begin(), chunk.begin() + got);
  }
  IDML_CHECK(got == 0, "cannot read ", path, " (corrupt gzip stream)");
  return out;
}

uint32_t big_endian_u32(const std::vector<uint8_t>& b, size_t at) {
  return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) | b[at + 3];
}

// IDX: magic 0x0000 08 <ndim>, then ndim big-endian sizes, then uint8 data.
std::vector<uint8_t> read_idx(const std::string& path, uint32_t ndim, std::vector<uint32_t>& dims) {
  std::vector<uint8_t> bytes = read_gzip(path);
  const size_t header = 4 + 4 * ndim;
  IDML_CHECK(bytes.size() >= header && big_endian_u32(bytes, 0) == (0x0800u | ndim), path,
             " is not an IDX file of unsigned bytes with ", ndim, " dimension(s)");
  // The product is bounded by the data present at every step, so it cannot wrap.
  const size_t present = bytes.size() - header;
  size_t count = 1;
  std::string declared;
  dims.resize(ndim);
  for (uint32_t d = 0; d < ndim; ++d) {
    dims[d] = big_endian_u32(bytes, 4 + 4 * d);
    declared += (d ? " x " : "") + std::to_string(dims[d]);
  }
  for (uint32_t d = 0; d < ndim; ++d) {
    IDML_CHECK(dims[d] == 0 || count <= present / dims[d], path, ": header declares ", declared,
               " bytes but the file holds ", present, " data bytes");
    count *= dims[d];
  }
  IDML_CHECK(present == count, path, ": ", present, " data bytes, header says ", declared, " = ", count);
  bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(header));
  return bytes;
}

class FashionMnistDataset : public Dataset {
 public:
  FashionMnistDataset(std::string file, int rows, int cols)
      : file_(std::move(file)), rows_(rows), cols_(cols) {}
  size_t size() const override { return labels_.size(); }
  int64_t label(size_t index) const override { return labels_.at(index); }
  std::string source(size_t index) const override {
    return file_ + "#" + std::to_string(records_.at(index));
  }
  Image load(size_t index) const override {
    const size_t plane = static_cast<size_t>(rows_) * cols_;
    const uint8_t* grey = pixels_.data() + index * plane;
    Image image(rows_, cols_);
    for (size_t i = 0; i < plane; ++i) image.pixels[3 * i] = image.pixels[3 * i + 1] = image.pixels[3 * i + 2] = grey[i];
    return image;
  }
  void add(const uint8_t* grey, int64_t label, size_t record) {
    pixels_.insert(pixels_.end(), grey, grey + static_cast<size_t>(rows_) * cols_);
    labels_.push_back(label);
    records_.push_back(record);
  }

 private:
  std::string file_;
  int rows_, cols_;
  std::vector<uint8_t> pixels_;
  std::vector<int64_t> labels_;
  std::vector<size_t> records_;
};

// The file `name` in `dir`, gzip-compressed (name.gz) or not.
std::string find_file(const fs::path& dir, const std::string& name) {
  std::error_code ec;
  for (const std::string& candidate : {name + ".gz", name}) {
    if (fs::is_regular_file(dir / candidate, ec)) return (dir / candidate).string();
  }
  return "";
}

}  // namespace

std::unique_ptr<Dataset> open_fashion_mnist(const std::string& root_option, Split split, int per_class_cap,
                                            bool all_classes) {
  const std::string root = root_option.empty() ? kDefaultRoot : root_option;
  const std::string layout = "  " + root + "/train-images-idx3-ubyte.gz\n  " + root +
      "/train-labels-idx1-ubyte.gz\n  " + root + "/t10k-images-idx3-ubyte.gz\n  " + root +
      "/t10k-labels-idx1-ubyte.gz\n  (or in " + root + "/fashion-mnist/; Debian: apt install dataset-fashion-mnist)";
  const std::string prefix = split == Split::Train ? "train" : "t10k";
  std::string images_path, labels_path;
  for (const fs::path& dir : {fs::path(root), fs::path(root) / "fashion-mnist"}) {
    images_path = find_file(dir, prefix + "-images-idx3-ubyte");
    labels_path = find_file(dir, prefix + "-labels-idx1-ubyte");
    if (!images_path.empty() && !labels_path.empty()) break;
  }
  IDML_CHECK(!images_path.empty() && !labels_path.empty(), "missing Fashion-MNIST ", prefix,
             " files in ", root, "\nexpected layout:\n", layout);
  std::vector<uint32_t> image_dims, label_dims;
  const std::vector<uint8_t> images = read_idx(images_path, 3, image_dims);
  const std::vector<uint8_t> labels = read_idx(labels_path, 1, label_dims);
  IDML_CHECK(image_dims[0] == label_dims[0], images_path, " holds ", image_dims[0], " images but ",
             labels_path, " ", label_dims[0], " labels");
  IDML_CHECK(image_dims[1] <= 65535 && image_dims[2] <= 65535, images_path, ": images of ", image_dims[1],
             " x ", image_dims[2], " pixels (at most 65535 a side)");
  const int rows = static_cast<int>(image_dims[1]), cols = static_cast<int>(image_dims[2]);
  const size_t plane = static_cast<size_t>(rows) * cols;

  auto dataset = std::make_unique<FashionMnistDataset>(images_path, rows, cols);
  std::array<int, 256> taken{};
  for (size_t record = 0; record < labels.size(); ++record) {
    const int label = labels[record];
    const bool is_train_class = label <= 4;
    if (!all_classes && is_train_class != (split != Split::Eval)) continue;
    if (per_class_cap > 0 && taken[label] >= per_class_cap) continue;
    ++taken[label];
    dataset->add(images.data() + record * plane, label, record);
  }
  return dataset;
}

}  // namespace idml::data
