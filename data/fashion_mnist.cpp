// Fashion-MNIST from its four IDX files (gzip-compressed, read with zlib;
// gzread also reads them uncompressed). By default from where Debian's
// dataset-fashion-mnist package installs them. Splits: train = classes 0-4 of
// the train files (30,000), eval = classes 5-9 of the test files (5,000), seen =
// classes 0-4 of the test files (5,000). 28x28 grey, replicated to RGB.
#include <algorithm>
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

// The most data bytes an IDX file may declare: Fashion-MNIST's largest file
// holds 47 MB; the bound keeps a gzip bomb (1 MB of gzip inflates to 1 GB)
// or a forged header from making idml allocate or inflate without limit.
constexpr size_t kMaxIdxDataBytes = size_t{1} << 30;

using GzFile = std::unique_ptr<gzFile_s, int (*)(gzFile)>;

// Reads up to `size` bytes (gzread also reads uncompressed files); returns how many.
size_t read_some(const GzFile& file, const std::string& path, uint8_t* out, size_t size) {
  size_t done = 0;
  while (done < size) {
    const unsigned want = static_cast<unsigned>(std::min<size_t>(size - done, 1 << 20));
    const int got = gzread(file.get(), out + done, want);
    IDML_CHECK(got >= 0, "cannot read ", path, " (corrupt gzip stream)");
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  return done;
}

uint32_t big_endian_u32(const uint8_t* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

// IDX: magic 0x0000 08 <ndim>, then ndim big-endian sizes, then uint8 data.
// Inflates only what the header declares (at most kMaxIdxDataBytes), plus one
// byte to find trailing data.
std::vector<uint8_t> read_idx(const std::string& path, uint32_t ndim, std::vector<uint32_t>& dims) {
  GzFile file(gzopen(path.c_str(), "rb"), &gzclose);
  IDML_CHECK(file != nullptr, "cannot open ", path);
  std::vector<uint8_t> header(4 + 4 * ndim);
  IDML_CHECK(read_some(file, path, header.data(), header.size()) == header.size() &&
                 big_endian_u32(header.data()) == (0x0800u | ndim),
             path, " is not an IDX file of unsigned bytes with ", ndim, " dimension(s)");
  size_t count = 1;
  std::string declared;
  dims.resize(ndim);
  for (uint32_t d = 0; d < ndim; ++d) {
    dims[d] = big_endian_u32(header.data() + 4 + 4 * d);
    declared += (d ? " x " : "") + std::to_string(dims[d]);
  }
  // Bounded at every step, so the product cannot wrap.
  for (uint32_t d = 0; d < ndim; ++d) {
    IDML_CHECK(dims[d] == 0 || count <= kMaxIdxDataBytes / dims[d], path, ": header declares ", declared,
               " bytes, more than the ", kMaxIdxDataBytes >> 20, " MiB idml reads from an IDX file");
    count *= dims[d];
  }
  // Grown as the data arrives, so a forged header costs no more memory than the stream holds.
  std::vector<uint8_t> data;
  size_t present = 0;
  while (present < count) {
    data.resize(std::min(count, std::max<size_t>(2 * present, 1 << 20)));
    const size_t got = read_some(file, path, data.data() + present, data.size() - present);
    present += got;
    if (present < data.size()) break;
  }
  data.resize(present);
  uint8_t extra = 0;
  IDML_CHECK(present == count && read_some(file, path, &extra, 1) == 0, path, ": ",
             present == count ? "more than " : "", present, " data bytes, header says ", declared, " = ", count);
  return data;
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
                                            FashionMnistTask task) {
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
    if (task == FashionMnistTask::retrieval && is_train_class != (split != Split::Eval)) continue;
    if (per_class_cap > 0 && taken[label] >= per_class_cap) continue;
    ++taken[label];
    dataset->add(images.data() + record * plane, label, record);
  }
  return dataset;
}

}  // namespace idml::data
