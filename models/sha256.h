// SHA-256 (FIPS 180-4), to recognise weight files by content: torchvision
// names each file after the first 8 hex digits of its SHA-256
// (resnet50-0676ba61.pth). Streaming, so a 100 MB file is hashed in 1 MiB reads.
// Not here: HMAC or any other use of hashes.
#pragma once

#include <cstdint>
#include <string>

namespace idml::models {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  // Lower-case hex of the digest; ends the stream (call once).
  std::string hex_digest();

 private:
  void compress(const uint8_t* block);
  uint32_t state_[8];
  uint8_t buffer_[64];
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

// SHA-256 of a file's bytes as 64 lower-case hex digits; throws idml::Error naming the file.
std::string sha256_of_file(const std::string& path);

}  // namespace idml::models
