// ZipArchive: the members of a ZIP file held in memory, as PyTorch's
// torch.save writes them (stored members, 64-byte aligned, ZIP64 records when
// large). Deflated members are inflated with zlib for archives repacked by
// other tools. Every member is CRC-32 checked when read.
// Not supported: encryption, multi-disk archives, compression methods other
// than stored (0) and deflate (8).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "io/bytes.h"

namespace idml::weights {

class ZipArchive {
 public:
  // Parses the central directory; throws naming `path` if it is not a ZIP
  // file or its directory is truncated or inconsistent.
  ZipArchive(std::shared_ptr<const io::Bytes> file, std::string path);

  const std::vector<std::string>& names() const { return order_; }  // in directory order
  bool contains(const std::string& name) const { return members_.count(name) != 0; }
  // A member's bytes (a view into the file when stored); throws naming the
  // archive and the member when missing, truncated or failing its CRC.
  io::ByteSpan read(const std::string& name) const;
  const std::string& path() const { return path_; }

 private:
  struct Member {
    uint16_t method = 0;
    uint32_t crc32 = 0;
    uint64_t compressed_size = 0;
    uint64_t size = 0;
    uint64_t local_header_offset = 0;
  };
  std::shared_ptr<const io::Bytes> file_;
  std::string path_;
  std::map<std::string, Member> members_;
  std::vector<std::string> order_;
};

// True when the bytes start with a ZIP local-file signature ("PK\3\4").
bool looks_like_zip(const io::Bytes& file);

}  // namespace idml::weights
