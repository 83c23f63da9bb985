// ImageFolder listing (torchvision semantics) and the `folder` dataset:
// <root>/<class dir>/**/<image>, the first half of the sorted classes (or
// `train_classes`) train, the rest eval.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "data/dataset_layouts.h"
#include "engine/error.h"

namespace fs = std::filesystem;

namespace idml::data {
namespace {

// torchvision's IMG_EXTENSIONS, compared lower-cased.
bool has_image_extension(const std::string& name) {
  static const char* extensions[] = {".jpg", ".jpeg", ".png", ".ppm", ".bmp",
                                     ".pgm", ".tif", ".tiff", ".webp"};
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* ext : extensions) {
    const std::string e(ext);
    if (lower.size() >= e.size() && lower.compare(lower.size() - e.size(), e.size(), e) == 0) return true;
  }
  return false;
}

// Sub-folders of `dir` (symlinks followed) not already on `ancestors`, the
// canonical paths from the dataset root down to `dir`.
void collect_dirs(const fs::path& dir, std::vector<fs::path>& ancestors, std::vector<std::string>& dirs,
                  size_t& skipped_loops) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  IDML_CHECK(!ec, "cannot read folder ", dir.string(), ": ", ec.message());
  std::vector<fs::path> children;
  for (fs::directory_iterator end; it != end; it.increment(ec)) {
    IDML_CHECK(!ec, "cannot read folder ", dir.string(), ": ", ec.message());
    if (it->is_directory(ec)) children.push_back(it->path());
  }
  for (const fs::path& child : children) {
    const fs::path real = fs::canonical(child, ec);
    IDML_CHECK(!ec, "cannot resolve ", child.string(), ": ", ec.message());
    if (std::find(ancestors.begin(), ancestors.end(), real) != ancestors.end()) {
      ++skipped_loops;
      continue;
    }
    dirs.push_back(child.string());
    ancestors.push_back(real);
    collect_dirs(child, ancestors, dirs, skipped_loops);
    ancestors.pop_back();
  }
}

// sorted(os.walk(dir, followlinks=True)) then sorted(fnames): directories in
// path-string order, files sorted within each.
std::vector<std::string> walk_sorted(const fs::path& root, const fs::path& dir, size_t& skipped_loops) {
  std::vector<std::string> dirs{dir.string()};
  std::error_code ec;
  std::vector<fs::path> ancestors{fs::canonical(root, ec)};
  if (!ec) ancestors.push_back(fs::canonical(dir, ec));
  IDML_CHECK(!ec, "cannot resolve ", dir.string(), ": ", ec.message());
  collect_dirs(dir, ancestors, dirs, skipped_loops);
  std::sort(dirs.begin(), dirs.end());
  std::vector<std::string> files;
  for (const auto& d : dirs) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(d, ec)) {
      if (!entry.is_directory(ec) && has_image_extension(entry.path().filename().string())) {
        names.push_back(entry.path().filename().string());
      }
    }
    std::sort(names.begin(), names.end());
    for (const auto& n : names) files.push_back((fs::path(d) / n).string());
  }
  return files;
}

}  // namespace

ImageFolderListing list_image_folder(const std::string& dir, const std::string& expected_layout) {
  std::error_code ec;
  IDML_CHECK(fs::is_directory(dir, ec), "missing folder ", dir, "\nexpected layout:\n", expected_layout);
  ImageFolderListing listing;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory(ec)) listing.class_names.push_back(entry.path().filename().string());
  }
  std::sort(listing.class_names.begin(), listing.class_names.end());
  IDML_CHECK(!listing.class_names.empty(), "no class folders in ", dir, "\nexpected layout:\n",
             expected_layout);
  for (size_t c = 0; c < listing.class_names.size(); ++c) {
    const fs::path class_dir = fs::path(dir) / listing.class_names[c];
    const std::vector<std::string> files = walk_sorted(dir, class_dir, listing.skipped_loops);
    IDML_CHECK(!files.empty(), "class folder ", class_dir.string(),
               " holds no image files\nexpected layout:\n", expected_layout);
    for (const auto& f : files) {
      listing.paths.push_back(f);
      listing.labels.push_back(static_cast<int64_t>(c));
    }
  }
  if (listing.skipped_loops > 0)
    std::fprintf(stderr, "%s: skipped %zu symbolic link(s) to a folder already on their own path (loops)\n",
                 dir.c_str(), listing.skipped_loops);
  return listing;
}

void require_files_exist(const std::vector<std::string>& paths, const std::string& listed_in,
                         const std::string& expected_layout) {
  std::vector<std::string> missing;
  size_t count = 0;
  std::error_code ec;
  for (const auto& p : paths) {
    if (!fs::is_regular_file(p, ec)) {
      if (missing.size() < 5) missing.push_back(p);
      ++count;
    }
  }
  if (count == 0) return;
  std::string list;
  for (const auto& m : missing) list += "\n  " + m;
  throw Error(detail::concat(count, " image(s) listed in ", listed_in, " do not exist, e.g.:", list,
                             "\nexpected layout:\n", expected_layout));
}

std::unique_ptr<Dataset> open_image_folder(const std::string& root, Split split, int train_classes) {
  const std::string layout = "  " + root + "/<class name>/<image>.jpg|.png  (one folder per class)";
  ImageFolderListing listing = list_image_folder(root, layout);
  const int64_t classes = static_cast<int64_t>(listing.class_names.size());
  const int64_t boundary = train_classes > 0 ? train_classes : classes / 2;
  IDML_CHECK(boundary < classes, "--train-classes ", boundary, " leaves no eval classes: ", root,
             " has ", classes, " class folders");
  IDML_CHECK(boundary > 0, root, " has ", classes, " class folder(s); at least 2 are needed");
  std::vector<std::string> paths;
  std::vector<int64_t> labels;
  for (size_t i = 0; i < listing.paths.size(); ++i) {
    const bool is_train = listing.labels[i] < boundary;
    if (is_train == (split == Split::Train)) {
      paths.push_back(listing.paths[i]);
      labels.push_back(listing.labels[i]);
    }
  }
  return std::make_unique<ImageFileDataset>(std::move(paths), std::move(labels));
}

}  // namespace idml::data
