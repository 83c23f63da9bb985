// Stanford Online Products: Stanford_Online_Products/ (also the misspelling
// Standford_Online_Products/, as some copies unpack) with Ebay_train.txt
// (59,551 images, 11,318 classes) and Ebay_test.txt (60,502, 11,316). Each file
// has a header line, then "image_id class_id super_class_id path"; label =
// class_id - 1.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "data/dataset_layouts.h"
#include "engine/error.h"

namespace fs = std::filesystem;

namespace idml::data {

std::unique_ptr<Dataset> open_sop(const std::string& root, Split split) {
  const std::string layout = "  " + root + "/Stanford_Online_Products/Ebay_train.txt\n  " + root +
      "/Stanford_Online_Products/Ebay_test.txt\n  " + root +
      "/Stanford_Online_Products/bicycle_final/111085122871_0.JPG  (paths as listed in the files)\n"
      "  (Standford_Online_Products/ is accepted too)";
  std::error_code ec;
  fs::path dir = fs::path(root) / "Stanford_Online_Products";
  if (!fs::is_directory(dir, ec)) dir = fs::path(root) / "Standford_Online_Products";
  IDML_CHECK(fs::is_directory(dir, ec), "missing folder ", (fs::path(root) / "Stanford_Online_Products").string(),
             "\nexpected layout:\n", layout);
  const fs::path list = dir / (split == Split::Train ? "Ebay_train.txt" : "Ebay_test.txt");
  std::ifstream in(list);
  IDML_CHECK(in.good(), "missing ", list.string(), "\nexpected layout:\n", layout);
  std::vector<std::string> paths;
  std::vector<int64_t> labels;
  std::string line;
  std::getline(in, line);  // header: image_id class_id super_class_id path
  size_t line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::istringstream words(line);
    long long image_id, class_id, super_class_id;
    std::string path;
    IDML_CHECK(static_cast<bool>(words >> image_id >> class_id >> super_class_id >> path),
               list.string(), ":", line_number, ": expected 'image_id class_id super_class_id path', got '",
               line, "'");
    IDML_CHECK(class_id >= 1, list.string(), ":", line_number, ": class_id must be >= 1");
    paths.push_back((dir / path).string());
    labels.push_back(class_id - 1);
  }
  IDML_CHECK(!paths.empty(), list.string(), " lists no images");
  require_files_exist(paths, list.string(), layout);
  return std::make_unique<ImageFileDataset>(std::move(paths), std::move(labels));
}

}  // namespace idml::data
