// The search order of the CUDA libraries (library_search.h).
#include "engine/cuda/library_search.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <system_error>

namespace idml::cuda {

namespace fs = std::filesystem;

namespace {

bool is_folder(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

// The sub-folders of `parent` whose name starts with `prefix`, sorted.
std::vector<fs::path> subfolders(const fs::path& parent, const std::string& prefix) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) == 0 && is_folder(it->path())) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// site-packages / dist-packages folders under a Python prefix (a venv, conda, /usr/local, ~/.local).
std::vector<fs::path> site_packages(const fs::path& prefix) {
  std::vector<fs::path> out;
  for (const fs::path& lib : subfolders(prefix / "lib", "python3"))
    for (const char* name : {"site-packages", "dist-packages"})
      if (is_folder(lib / name)) out.push_back(lib / name);
  return out;
}

}  // namespace

std::vector<LibraryFolder> cuda_library_folders(const Environment& env) {
  std::vector<LibraryFolder> out;
  std::set<std::string> seen;
  auto add = [&](const fs::path& path, const std::string& origin) {
    if (!is_folder(path)) return;
    std::error_code ec;
    const fs::path canonical = fs::canonical(path, ec);
    if (ec || !seen.insert(canonical.string()).second) return;
    out.push_back({path.string(), origin});
  };
  if (const char* list = env("IDML_CUDA_LIBS")) {
    std::stringstream in(list);
    for (std::string folder; std::getline(in, folder, ':');)
      if (!folder.empty()) add(folder, "IDML_CUDA_LIBS");
  }
  for (const char* name : {"CUDA_HOME", "CUDA_PATH"})
    if (const char* home = env(name); home && *home) {
      add(fs::path(home) / "lib64", name);
      add(fs::path(home) / "lib", name);
    }
  add("/usr/local/cuda/lib64", "standard install");
  add("/usr/local/cuda/lib", "standard install");
  out.push_back({kLoaderSearch, "standard install"});

  // Python prefixes: each python3 on PATH (as found, so a venv's own prefix counts), then the usual ones.
  std::vector<fs::path> prefixes;
  if (const char* path = env("PATH")) {
    std::stringstream in(path);
    for (std::string folder; std::getline(in, folder, ':');) {
      if (folder.empty()) continue;
      const fs::path python = fs::path(folder) / "python3";
      std::error_code ec;
      if (!fs::exists(python, ec)) continue;
      prefixes.push_back(fs::path(folder).parent_path());
      const fs::path real = fs::canonical(python, ec);
      if (!ec) prefixes.push_back(real.parent_path().parent_path());
    }
  }
  for (const char* name : {"VIRTUAL_ENV", "CONDA_PREFIX"})
    if (const char* prefix = env(name); prefix && *prefix) prefixes.push_back(prefix);
  if (const char* home = env("HOME"); home && *home) prefixes.push_back(fs::path(home) / ".local");
  prefixes.push_back("/usr/local");
  prefixes.push_back("/usr");
  for (const fs::path& prefix : prefixes)
    for (const fs::path& site : site_packages(prefix)) {
      if (!is_folder(site / "torch") || !is_folder(site / "nvidia")) continue;
      for (const fs::path& package : subfolders(site / "nvidia", ""))
        add(package / "lib", "PyTorch (" + site.string() + ")");
    }
  return out;
}

}  // namespace idml::cuda
