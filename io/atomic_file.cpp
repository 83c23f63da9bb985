// The one atomic-file writer (see atomic_file.h): used by the .npy writer,
// safetensors checkpoints, the run log and the reports.
#include "io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/error.h"

namespace idml::io {

AtomicFile::AtomicFile(std::string path)
    : path_(std::move(path)), temporary_(path_ + "." + std::to_string(::getpid()) + ".tmp") {
  file_ = std::fopen(temporary_.c_str(), "wb");
  IDML_CHECK(file_ != nullptr, temporary_, ": cannot create (writing ", path_, "): ", std::strerror(errno));
}

AtomicFile::~AtomicFile() {
  if (file_ == nullptr) return;
  std::fclose(file_);
  std::remove(temporary_.c_str());
}

void AtomicFile::fail(const std::string& what, int error) {
  if (file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
  std::remove(temporary_.c_str());
  throw Error(detail::concat(what, ": ", std::strerror(error)));
}

void AtomicFile::write(const void* data, size_t size) {
  IDML_CHECK(file_ != nullptr, temporary_, ": write after commit");
  if (size > 0 && std::fwrite(data, 1, size, file_) != size)
    fail(temporary_ + ": write failed (writing " + path_ + ")", errno);
}

void AtomicFile::commit() {
  IDML_CHECK(file_ != nullptr, temporary_, ": committed twice");
  // fsync before the rename: otherwise a crash can leave the new name on
  // disk with contents that never made it there.
  if (std::fflush(file_) != 0 || ::fsync(::fileno(file_)) != 0)
    fail(temporary_ + ": write failed (writing " + path_ + ")", errno);
  std::FILE* file = file_;
  file_ = nullptr;
  if (std::fclose(file) != 0) {
    const int error = errno;
    std::remove(temporary_.c_str());
    throw Error(detail::concat(temporary_, ": write failed (writing ", path_, "): ", std::strerror(error)));
  }
  if (std::rename(temporary_.c_str(), path_.c_str()) != 0) {
    const int error = errno;
    std::remove(temporary_.c_str());
    throw Error(detail::concat(path_, ": cannot replace with ", temporary_, ": ", std::strerror(error)));
  }
}

void write_file_atomically(const std::string& path, std::string_view text) {
  AtomicFile file(path);
  file.write(text);
  file.commit();
}

}  // namespace idml::io
