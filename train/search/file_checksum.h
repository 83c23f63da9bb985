// Fingerprints of the files of an index: their size and XXH3-64 (xxHash, Debian's
// libxxhash), written into the index record by `idml embed` and compared before
// a file is used, so that a truncated, replaced or foreign file is an error
// naming it. XXH3 runs at memory speed (a 1 GB index costs a few tens of ms),
// which a SHA-256 here (about 0.3 GB/s) would not; it guards against accidents,
// not against an attacker (who could rewrite the record as well).
// Not here: the checkpoint's identity, which is its SHA-256 (models/sha256.h).
#pragma once

#include <cstdint>
#include <string>

namespace idml::search {

struct FileFingerprint {
  int64_t bytes = 0;
  std::string xxh3;  // 16 lower-case hex digits of XXH3-64 (seed 0)

  bool operator==(const FileFingerprint& other) const { return bytes == other.bytes && xxh3 == other.xxh3; }
  bool operator!=(const FileFingerprint& other) const { return !(*this == other); }
};

// Size and XXH3-64 of `path`'s bytes; throws idml::Error naming the file.
FileFingerprint fingerprint_file(const std::string& path);

// XXH3-64 of a buffer, as 16 hex digits.
std::string xxh3_hex(const void* data, size_t size);

}  // namespace idml::search
