// Listing image files (.jpg, .jpeg, .png) of a directory or a list file.
#include "train/cli/image_list.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "engine/error.h"

namespace idml::cli {
namespace {

bool is_image_name(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

}  // namespace

std::vector<std::string> list_images(const std::string& where, const std::string& flag) {
  namespace fs = std::filesystem;
  std::vector<std::string> paths;
  std::error_code error;
  if (fs::is_directory(where, error)) {
    for (auto it = fs::recursive_directory_iterator(where, error); !error && it != fs::recursive_directory_iterator();
         it.increment(error))
      if (it->is_regular_file() && is_image_name(it->path())) paths.push_back(it->path().string());
    IDML_CHECK(!error, flag, ": cannot read directory ", where, ": ", error.message());
    std::sort(paths.begin(), paths.end());
  } else if (fs::is_regular_file(where) && is_image_name(where)) {
    paths.push_back(where);  // one image
  } else {
    std::ifstream in(where);
    IDML_CHECK(in.good(), flag, ": ", where, " is neither a directory, an image nor a readable list file");
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) paths.push_back(line);
  }
  IDML_CHECK(!paths.empty(), flag, ": no images (.jpg, .jpeg, .png) found in ", where);
  return paths;
}

}  // namespace idml::cli
