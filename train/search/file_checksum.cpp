// Size and XXH3-64 of a file, streamed in 4 MiB reads (see the header).
#include "train/search/file_checksum.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include <xxhash.h>

#include "engine/error.h"

namespace idml::search {
namespace {

std::string hex64(XXH64_hash_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace

std::string xxh3_hex(const void* data, size_t size) { return hex64(XXH3_64bits(data, size)); }

FileFingerprint fingerprint_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  IDML_CHECK(file != nullptr, path, ": cannot open the file to check it: ", std::strerror(errno));
  std::unique_ptr<XXH3_state_t, XXH_errorcode (*)(XXH3_state_t*)> state(XXH3_createState(), XXH3_freeState);
  IDML_CHECK(state != nullptr && XXH3_64bits_reset(state.get()) == XXH_OK, path, ": cannot start a checksum");
  FileFingerprint result;
  std::vector<char> chunk(size_t(4) << 20);
  for (size_t got; (got = std::fread(chunk.data(), 1, chunk.size(), file.get())) > 0;) {
    XXH3_64bits_update(state.get(), chunk.data(), got);
    result.bytes += static_cast<int64_t>(got);
  }
  IDML_CHECK(std::ferror(file.get()) == 0, path, ": read error while checking the file: ", std::strerror(errno));
  result.xxh3 = hex64(XXH3_64bits_digest(state.get()));
  return result;
}

}  // namespace idml::search
