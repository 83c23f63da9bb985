// CIFAR-10/100 readers: the python pickle batches (dicts with b'data', a (N,
// 3072) uint8 ndarray, and b'labels' / b'fine_labels', read with the restricted
// NumPy unpickler of io/) and the binary batches (per record: 1 label
// byte for CIFAR-10, coarse + fine label bytes for CIFAR-100, then 3072 pixel bytes).
#include <filesystem>

#include "data/classification_datasets.h"
#include "engine/error.h"
#include "io/bytes.h"
#include "io/numpy_pickle.h"

namespace fs = std::filesystem;

namespace idml::data {

namespace {

constexpr size_t kRecordPixels = 3072;  // 3 x 32 x 32

class CifarDataset : public Dataset {
 public:
  explicit CifarDataset(std::vector<std::string> files) : files_(std::move(files)) {}
  size_t size() const override { return labels_.size(); }
  int64_t label(size_t index) const override { return labels_.at(index); }
  std::string source(size_t index) const override {
    return files_.at(file_of_.at(index)) + "#" + std::to_string(record_of_.at(index));
  }
  Image load(size_t index) const override {
    IDML_CHECK(index < labels_.size(), "CIFAR: index ", index, " out of range (", labels_.size(), " images)");
    const uint8_t* planes = pixels_.data() + index * kRecordPixels;  // CHW -> HWC
    Image image(32, 32);
    for (size_t i = 0; i < 1024; ++i)
      for (size_t c = 0; c < 3; ++c) image.pixels[3 * i + c] = planes[c * 1024 + i];
    return image;
  }
  void add(size_t file, CifarBatch batch) {
    pixels_.insert(pixels_.end(), batch.pixels.begin(), batch.pixels.end());
    for (size_t r = 0; r < batch.labels.size(); ++r) {
      labels_.push_back(batch.labels[r]);
      file_of_.push_back(file);
      record_of_.push_back(r);
    }
  }

 private:
  std::vector<std::string> files_;
  std::vector<uint8_t> pixels_;
  std::vector<int64_t> labels_;
  std::vector<size_t> file_of_, record_of_;
};

io::PyValue entry(const io::PyValue& dict, const std::string& key) {
  for (const auto& [k, v] : dict->entries)
    if ((k->kind == io::PyKind::String || k->kind == io::PyKind::Bytes) && k->text == key) return v;
  return nullptr;
}

void check_labels(const std::vector<int64_t>& labels, int num_classes, const std::string& path) {
  for (size_t i = 0; i < labels.size(); ++i)
    IDML_CHECK(labels[i] >= 0 && labels[i] < num_classes, path, ": label ", labels[i], " of record ", i,
               " is outside 0..", num_classes - 1, " (is this a CIFAR-", num_classes, " file?)");
}

}  // namespace

CifarBatch read_cifar_pickle(const std::string& path, int num_classes) {
  const io::PyValue root = io::read_numpy_pickle(path);
  IDML_CHECK(root->kind == io::PyKind::Dict, path, ": a CIFAR batch is a dict, this pickle holds a ",
             io::kind_name(root->kind));
  const std::string label_key = num_classes == 100 ? "fine_labels" : "labels";
  const io::PyValue data = entry(root, "data"), labels = entry(root, label_key);
  IDML_CHECK(data && labels, path, ": a CIFAR-", num_classes, " batch needs the keys 'data' and '", label_key, "'");
  IDML_CHECK(data->kind == io::PyKind::Tensor && data->tensor.storage &&
                 data->tensor.dtype == io::FileDType::UInt8 && data->tensor.shape.size() == 2 &&
                 data->tensor.shape[1] == static_cast<int64_t>(kRecordPixels) && data->tensor.strides[1] == 1,
             path, ": 'data' must be a C-ordered uint8 array of shape (N, 3072)");
  CifarBatch batch;
  const io::ByteSpan& span = data->tensor.storage->bytes;
  IDML_CHECK(
      span.size / kRecordPixels == static_cast<uint64_t>(data->tensor.shape[0]) && span.size % kRecordPixels == 0, path,
      ": 'data' declares ", data->tensor.shape[0], " images but holds ", span.size, " bytes");
  batch.pixels.assign(span.data(), span.data() + span.size);
  IDML_CHECK(labels->kind == io::PyKind::List || labels->kind == io::PyKind::Tuple, path, ": '",
             label_key, "' is a ", io::kind_name(labels->kind), ", not a list");
  for (const io::PyValue& v : labels->items) {
    IDML_CHECK(v->kind == io::PyKind::Int, path, ": '", label_key, "' holds a ", io::kind_name(v->kind));
    batch.labels.push_back(v->integer);
  }
  const int64_t rows = data->tensor.shape[0];
  IDML_CHECK(static_cast<int64_t>(batch.labels.size()) == rows, path, ": ", rows, " images in 'data' but ",
             batch.labels.size(), " labels in '", label_key, "'");
  check_labels(batch.labels, num_classes, path);
  return batch;
}

CifarBatch read_cifar_binary(const std::string& path, int num_classes) {
  const std::shared_ptr<const io::Bytes> bytes = io::read_file_bytes(path);
  const size_t label_bytes = num_classes == 100 ? 2 : 1, record = label_bytes + kRecordPixels;
  IDML_CHECK(!bytes->empty() && bytes->size() % record == 0, path, ": ", bytes->size(),
             " bytes is not a whole number of CIFAR-", num_classes, " records (", record,
             " bytes each); the file is truncated or of another format");
  CifarBatch batch;
  const size_t n = bytes->size() / record;
  batch.pixels.reserve(n * kRecordPixels);
  for (size_t r = 0; r < n; ++r) {
    const uint8_t* at = bytes->data() + r * record;
    batch.labels.push_back(at[label_bytes - 1]);  // CIFAR-100: the fine label is the second byte
    batch.pixels.insert(batch.pixels.end(), at + label_bytes, at + record);
  }
  check_labels(batch.labels, num_classes, path);
  return batch;
}

std::unique_ptr<Dataset> open_cifar(const std::string& root, int num_classes, Split split) {
  IDML_CHECK(num_classes == 10 || num_classes == 100, "CIFAR has 10 or 100 classes, not ", num_classes);
  const bool train = split == Split::Train;
  std::vector<std::string> names;
  if (num_classes == 10 && train)
    for (int i = 1; i <= 5; ++i) names.push_back("data_batch_" + std::to_string(i));
  else
    names.push_back(num_classes == 10 ? "test_batch" : (train ? "train" : "test"));
  const std::string py_dir = num_classes == 10 ? "cifar-10-batches-py" : "cifar-100-python";
  const std::string bin_dir = num_classes == 10 ? "cifar-10-batches-bin" : "cifar-100-binary";
  // The folder itself may be the root, as well as its parent.
  std::string layout_dir;
  bool binary = false;
  std::error_code ec;
  for (const auto& [dir, is_binary] : std::vector<std::pair<fs::path, bool>>{
           {fs::path(root) / py_dir, false}, {fs::path(root) / bin_dir, true}, {fs::path(root), false},
           {fs::path(root), true}}) {
    if (fs::is_regular_file(dir / (names[0] + (is_binary ? ".bin" : "")), ec)) {
      layout_dir = dir.string();
      binary = is_binary;
      break;
    }
  }
  IDML_CHECK(!layout_dir.empty(), "missing CIFAR-", num_classes, " files in ", root, "\nexpected layout:\n  ", root,
             "/", py_dir, "/", names[0], "  (python version)\n  or ", root, "/", bin_dir, "/", names[0],
             ".bin  (binary version)");
  std::vector<std::string> files;
  for (const std::string& name : names) {
    files.push_back(layout_dir + "/" + name + (binary ? ".bin" : ""));
    IDML_CHECK(fs::is_regular_file(files.back(), ec), "missing CIFAR-", num_classes, " batch ", files.back());
  }
  auto dataset = std::make_unique<CifarDataset>(files);
  for (size_t f = 0; f < files.size(); ++f)
    dataset->add(f, binary ? read_cifar_binary(files[f], num_classes) : read_cifar_pickle(files[f], num_classes));
  return dataset;
}

}  // namespace idml::data
