// Shared by the libFuzzer targets: a parser must either succeed or throw
// idml::Error. Anything else (another exception, a crash, a sanitizer report,
// a leak) is a finding. Path-based parsers read the input from a scratch file.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/error.h"

namespace idml::fuzz {

// A folder of this process, created on the first call and removed at exit.
// Targets overwrite their files in it for every input: emptying it for each
// input made the path-based targets I/O-bound (34 runs/s for the Cars .mat).
inline const std::filesystem::path& scratch_dir() {
  struct Folder {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("idml_fuzz_" + std::to_string(getpid()));
    Folder() {
      std::filesystem::remove_all(path);
      std::filesystem::create_directories(path);
    }
    ~Folder() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const Folder folder;
  return folder.path;
}

inline std::string write_file(const std::filesystem::path& path, const uint8_t* data, size_t size) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path.string();
}

template <typename F>
void expect_clean(F&& parse) {
  try {
    parse();
  } catch (const Error&) {
    // the expected outcome for most inputs: a clear error
  }
}

}  // namespace idml::fuzz
