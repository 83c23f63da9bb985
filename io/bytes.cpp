// Reading a whole file into memory (weight and data files are read once, whole).
#include "io/bytes.h"

#include <cerrno>
#include <cstdio>

namespace idml::io {

std::shared_ptr<const Bytes> read_file_bytes(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  IDML_CHECK(file != nullptr, path, ": cannot open: ", std::strerror(errno));
  auto bytes = std::make_shared<Bytes>();
  uint8_t chunk[1 << 16];
  size_t got;
  while ((got = std::fread(chunk, 1, sizeof(chunk), file)) > 0) bytes->insert(bytes->end(), chunk, chunk + got);
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  IDML_CHECK(!failed, path, ": read error");
  return bytes;
}

}  // namespace idml::io
