// Test helper: a directory private to this test process, made with mkdtemp
// under $TMPDIR (or /tmp) on first use and removed when the process exits, so
// tests that run at the same time (two checkouts, ctest -j, the ranks of an
// MPI test) never share a file name.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace idml::testing {

class PrivateDirectory {
 public:
  static const std::filesystem::path& root() {
    static PrivateDirectory instance;
    return instance.path_;
  }

 private:
  PrivateDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "idml_test_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern + " failed");
    path_ = pattern;
  }
  ~PrivateDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::filesystem::path path_;
};

// A path for a file named `name` in this process's directory.
inline std::string private_path(const std::string& name) { return (PrivateDirectory::root() / name).string(); }

// An empty directory `name` in this process's directory (emptied if it exists).
inline std::filesystem::path fresh_directory(const std::string& name) {
  const std::filesystem::path dir = PrivateDirectory::root() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace idml::testing
