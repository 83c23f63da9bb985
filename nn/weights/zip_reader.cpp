// ZIP central directory parsing and member extraction. Format facts from
// PKWARE's APPNOTE.TXT: the end-of-central-directory record (EOCD, signature
// 0x06054b50, 22 bytes + comment) sits at the end of the file; when a field
// there is saturated (0xFFFF / 0xFFFFFFFF) the ZIP64 EOCD locator (0x07064b50)
// just before it points at the ZIP64 EOCD (0x06064b50). Central directory
// entries (0x02014b50) give each member's sizes and local header offset;
// ZIP64 extra fields (id 0x0001) hold the saturated values in order.
#include "nn/weights/zip_reader.h"

#include <zlib.h>

#include <algorithm>

namespace idml::weights {

namespace {

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr uint32_t kZip64Locator = 0x07064b50;
constexpr uint32_t kZip64End = 0x06064b50;

// Replaces saturated 32-bit fields by their ZIP64 extra-field values.
void apply_zip64_extra(const uint8_t* extra, size_t length, uint64_t* size, uint64_t* compressed,
                       uint64_t* offset, const std::string& path) {
  size_t pos = 0;
  while (pos + 4 <= length) {
    const uint16_t id = io::load_le<uint16_t>(extra + pos);
    const uint16_t field_size = io::load_le<uint16_t>(extra + pos + 2);
    pos += 4;
    io::require_bytes(pos, field_size, length, path, "ZIP extra field");
    if (id == 0x0001) {
      size_t at = pos;
      for (uint64_t* value : {size, compressed, offset}) {
        if (*value != 0xFFFFFFFFu) continue;
        io::require_bytes(at, 8, pos + field_size, path, "ZIP64 extra field");
        *value = io::load_le<uint64_t>(extra + at);
        at += 8;
      }
    }
    pos += field_size;
  }
}

}  // namespace

bool looks_like_zip(const io::Bytes& file) {
  return file.size() >= 4 && io::load_le<uint32_t>(file.data()) == kLocalHeader;
}

ZipArchive::ZipArchive(std::shared_ptr<const io::Bytes> file, std::string path)
    : file_(std::move(file)), path_(std::move(path)) {
  const io::Bytes& bytes = *file_;
  const size_t n = bytes.size();
  IDML_CHECK(n >= 22, path_, ": not a ZIP archive (", n, " bytes, no end-of-central-directory record)");
  // The EOCD is followed by a comment of at most 65535 bytes: search backwards.
  size_t eocd = n;
  for (size_t pos = n - 22 + 1; pos-- > 0 && n - pos <= 22 + 65535;) {
    if (io::load_le<uint32_t>(bytes.data() + pos) == kEndOfDirectory) {
      eocd = pos;
      break;
    }
  }
  IDML_CHECK(eocd != n, path_, ": not a ZIP archive or truncated (no end-of-central-directory record)");
  uint64_t entries = io::load_le<uint16_t>(bytes.data() + eocd + 10);
  uint64_t directory_size = io::load_le<uint32_t>(bytes.data() + eocd + 12);
  uint64_t directory_offset = io::load_le<uint32_t>(bytes.data() + eocd + 16);
  if ((entries == 0xFFFF || directory_size == 0xFFFFFFFFu || directory_offset == 0xFFFFFFFFu) && eocd >= 20 &&
      io::load_le<uint32_t>(bytes.data() + eocd - 20) == kZip64Locator) {
    const uint64_t zip64_end = io::load_le<uint64_t>(bytes.data() + eocd - 20 + 8);
    io::require_bytes(zip64_end, 56, n, path_, "ZIP64 end-of-central-directory record");
    IDML_CHECK(io::load_le<uint32_t>(bytes.data() + zip64_end) == kZip64End, path_,
               ": corrupt ZIP64 end-of-central-directory record");
    entries = io::load_le<uint64_t>(bytes.data() + zip64_end + 32);
    directory_size = io::load_le<uint64_t>(bytes.data() + zip64_end + 40);
    directory_offset = io::load_le<uint64_t>(bytes.data() + zip64_end + 48);
  }
  io::require_bytes(directory_offset, directory_size, n, path_, "ZIP central directory");
  size_t pos = directory_offset;
  const size_t end = directory_offset + directory_size;
  for (uint64_t i = 0; i < entries; ++i) {
    io::require_bytes(pos, 46, end, path_, "ZIP central directory entry");
    const uint8_t* h = bytes.data() + pos;
    IDML_CHECK(io::load_le<uint32_t>(h) == kCentralHeader, path_, ": corrupt ZIP central directory (entry ", i,
               " has a bad signature)");
    Member m;
    m.method = io::load_le<uint16_t>(h + 10);
    m.crc32 = io::load_le<uint32_t>(h + 16);
    m.compressed_size = io::load_le<uint32_t>(h + 20);
    m.size = io::load_le<uint32_t>(h + 24);
    const size_t name_length = io::load_le<uint16_t>(h + 28);
    const size_t extra_length = io::load_le<uint16_t>(h + 30);
    const size_t comment_length = io::load_le<uint16_t>(h + 32);
    m.local_header_offset = io::load_le<uint32_t>(h + 42);
    io::require_bytes(pos + 46, name_length + extra_length + comment_length, end, path_, "ZIP central directory entry");
    std::string name(reinterpret_cast<const char*>(h + 46), name_length);
    apply_zip64_extra(h + 46 + name_length, extra_length, &m.size, &m.compressed_size, &m.local_header_offset, path_);
    IDML_CHECK(members_.count(name) == 0, path_, ": corrupt ZIP central directory (member '", name,
               "' listed twice)");
    members_[name] = m;
    order_.push_back(name);
    pos += 46 + name_length + extra_length + comment_length;
  }
}


io::ByteSpan ZipArchive::read(const std::string& name) const {
  const auto found = members_.find(name);
  IDML_CHECK(found != members_.end(), path_, ": ZIP archive has no member '", name, "'");
  const Member& m = found->second;
  const io::Bytes& bytes = *file_;
  const std::string what = path_ + ": member '" + name + "'";
  io::require_bytes(m.local_header_offset, 30, bytes.size(), what, "local header");
  const uint8_t* h = bytes.data() + m.local_header_offset;
  IDML_CHECK(io::load_le<uint32_t>(h) == kLocalHeader, what, ": bad local header signature");
  // The local header's own name/extra lengths decide where the data starts
  // (PyTorch pads the local extra field to align the data to 64 bytes).
  const uint64_t data_begin =
      m.local_header_offset + 30 + io::load_le<uint16_t>(h + 26) + io::load_le<uint16_t>(h + 28);
  io::require_bytes(data_begin, m.compressed_size, bytes.size(), what, "data");
  io::ByteSpan span{file_, static_cast<size_t>(data_begin), static_cast<size_t>(m.compressed_size)};
  if (m.method == 8) {
    // Deflate expands at most ~1032:1; a larger claim is a corrupt header, not a reason to allocate.
    IDML_CHECK(m.size <= m.compressed_size * 1032 + 1024, what, ": implausible inflated size ", m.size);
    // One spare output byte: a stream longer than the directory says fails the size check.
    auto inflated = std::make_shared<io::Bytes>(static_cast<size_t>(m.size) + 1);
    z_stream stream{};
    IDML_CHECK(inflateInit2(&stream, -MAX_WBITS) == Z_OK, what, ": zlib init failed");  // raw deflate
    stream.next_in = const_cast<Bytef*>(span.data());
    stream.avail_in = static_cast<uInt>(std::min<uint64_t>(span.size, UINT32_MAX));
    stream.next_out = inflated->data();
    stream.avail_out = static_cast<uInt>(std::min<uint64_t>(inflated->size(), UINT32_MAX));
    const int status = inflate(&stream, Z_FINISH);
    const uint64_t produced = stream.total_out;
    inflateEnd(&stream);
    IDML_CHECK(status == Z_STREAM_END && produced == m.size, what, ": corrupt deflate data");
    inflated->resize(static_cast<size_t>(m.size));
    span = io::ByteSpan{inflated, 0, inflated->size()};
  } else {
    IDML_CHECK(m.method == 0, what, ": unsupported ZIP compression method ", m.method);
    IDML_CHECK(m.compressed_size == m.size, what, ": stored member with different sizes");
  }
  // crc32 takes uInt lengths: feed large members in chunks.
  uLong crc = crc32(0L, Z_NULL, 0);
  for (size_t done = 0; done < span.size;) {
    const size_t chunk = std::min<size_t>(span.size - done, 1u << 30);
    crc = crc32(crc, span.data() + done, static_cast<uInt>(chunk));
    done += chunk;
  }
  IDML_CHECK(crc == m.crc32, what, ": CRC-32 mismatch (corrupt file)");
  return span;
}

}  // namespace idml::weights
