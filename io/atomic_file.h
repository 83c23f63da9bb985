// Writing a file so that a reader, a crash or a kill -9 sees either the old
// contents or the new ones, never half of them: the bytes go to a temporary
// file in the same directory (`<path>.<pid>.tmp`), which is flushed,
// fsync'ed and renamed over `path`. A failure removes the temporary file,
// leaves `path` as it was, and throws an idml::Error naming the file and the
// reason (the errno text). A killed writer can leave its *.tmp behind: the
// trainer removes those on its next start (train/run_log.h).
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace idml::io {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);  // creates the temporary file
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();                          // without commit(): removes the temporary file

  void write(const void* data, size_t size);
  void write(std::string_view text) { write(text.data(), text.size()); }
  // Flush, fsync, close, rename over the destination. Once only.
  void commit();

  const std::string& path() const { return path_; }
  const std::string& temporary_path() const { return temporary_; }

 private:
  [[noreturn]] void fail(const std::string& what, int error);
  std::string path_, temporary_;
  std::FILE* file_ = nullptr;
};

// The whole of `text` as the new contents of `path`.
void write_file_atomically(const std::string& path, std::string_view text);

}  // namespace idml::io
