// ZipArchive on archives built here byte by byte: the ZIP64 records PyTorch
// writes for files over 4 GB (saturated 32-bit fields, values in the ZIP64
// extra field and end records), member lookup and CRC checking.
#include <gtest/gtest.h>
#include <zlib.h>

#include "nn/weights/zip_reader.h"
#include "weights_test_util.h"

namespace idml::weights {
namespace {

using testing::expect_error;

template <typename T>
void put(io::Bytes& out, T value) {
  const size_t at = out.size();
  out.resize(at + sizeof(T));
  std::memcpy(out.data() + at, &value, sizeof(T));
}

void put_text(io::Bytes& out, const std::string& text) { out.insert(out.end(), text.begin(), text.end()); }

// One stored member; with `zip64` every size and offset goes through the ZIP64 records.
io::Bytes one_member_zip(const std::string& name, const std::string& content, bool zip64, uint32_t crc_xor = 0) {
  const uint32_t crc = crc32(0L, reinterpret_cast<const Bytef*>(content.data()), content.size()) ^ crc_xor;
  const uint32_t saturated = 0xFFFFFFFFu;
  io::Bytes z;
  put<uint32_t>(z, 0x04034b50);  // local header
  put<uint16_t>(z, 45); put<uint16_t>(z, 0); put<uint16_t>(z, 0);  // version, flags, method stored
  put<uint32_t>(z, 0);                                               // time, date
  put<uint32_t>(z, crc);
  put<uint32_t>(z, static_cast<uint32_t>(content.size())); put<uint32_t>(z, static_cast<uint32_t>(content.size()));
  put<uint16_t>(z, static_cast<uint16_t>(name.size())); put<uint16_t>(z, 3);  // 3 bytes of local padding
  put_text(z, name);
  put_text(z, std::string(3, '\0'));
  put_text(z, content);
  const uint64_t directory_offset = z.size();
  put<uint32_t>(z, 0x02014b50);  // central directory entry
  put<uint16_t>(z, 45); put<uint16_t>(z, 45); put<uint16_t>(z, 0); put<uint16_t>(z, 0);
  put<uint32_t>(z, 0);
  put<uint32_t>(z, crc);
  put<uint32_t>(z, zip64 ? saturated : static_cast<uint32_t>(content.size()));
  put<uint32_t>(z, zip64 ? saturated : static_cast<uint32_t>(content.size()));
  put<uint16_t>(z, static_cast<uint16_t>(name.size())); put<uint16_t>(z, zip64 ? 4 + 24 : 0);
  put<uint16_t>(z, 0); put<uint16_t>(z, 0); put<uint16_t>(z, 0); put<uint32_t>(z, 0);  // comment, disk, attrs
  put<uint32_t>(z, zip64 ? saturated : 0);  // local header offset
  put_text(z, name);
  if (zip64) {  // extra field 0x0001: uncompressed size, compressed size, local header offset
    put<uint16_t>(z, 1); put<uint16_t>(z, 24);
    put<uint64_t>(z, content.size()); put<uint64_t>(z, content.size()); put<uint64_t>(z, 0);
  }
  const uint64_t directory_size = z.size() - directory_offset;
  if (zip64) {
    const uint64_t zip64_end = z.size();
    put<uint32_t>(z, 0x06064b50);
    put<uint64_t>(z, 44); put<uint16_t>(z, 45); put<uint16_t>(z, 45); put<uint32_t>(z, 0); put<uint32_t>(z, 0);
    put<uint64_t>(z, 1); put<uint64_t>(z, 1); put<uint64_t>(z, directory_size); put<uint64_t>(z, directory_offset);
    put<uint32_t>(z, 0x07064b50);  // locator
    put<uint32_t>(z, 0); put<uint64_t>(z, zip64_end); put<uint32_t>(z, 1);
  }
  put<uint32_t>(z, 0x06054b50);  // end of central directory
  put<uint16_t>(z, 0); put<uint16_t>(z, 0);
  put<uint16_t>(z, zip64 ? 0xFFFF : 1); put<uint16_t>(z, zip64 ? 0xFFFF : 1);
  put<uint32_t>(z, zip64 ? saturated : static_cast<uint32_t>(directory_size));
  put<uint32_t>(z, zip64 ? saturated : static_cast<uint32_t>(directory_offset));
  put<uint16_t>(z, 0);
  return z;
}

std::string read_text(const ZipArchive& zip, const std::string& name) {
  const io::ByteSpan span = zip.read(name);
  return std::string(reinterpret_cast<const char*>(span.data()), span.size);
}

TEST(ZipReader, PlainAndZip64ArchivesReadTheSame) {
  for (bool zip64 : {false, true}) {
    SCOPED_TRACE(zip64 ? "zip64" : "plain");
    const ZipArchive zip(std::make_shared<const io::Bytes>(one_member_zip("archive/data/0", "storage bytes", zip64)),
                         "a.pth");
    EXPECT_EQ(zip.names(), (std::vector<std::string>{"archive/data/0"}));
    EXPECT_TRUE(zip.contains("archive/data/0"));
    EXPECT_EQ(read_text(zip, "archive/data/0"), "storage bytes");  // after the local header's own padding
  }
}

TEST(ZipReader, MissingMemberAndBadCrcAreNamed) {
  const ZipArchive zip(std::make_shared<const io::Bytes>(one_member_zip("x/data.pkl", "abc", true, 1)), "b.pth");
  expect_error([&] { zip.read("x/version"); }, {"b.pth", "no member 'x/version'"});
  expect_error([&] { zip.read("x/data.pkl"); }, {"b.pth", "member 'x/data.pkl'", "CRC-32 mismatch"});
}

TEST(ZipReader, NotAZip) {
  expect_error([] { ZipArchive(std::make_shared<const io::Bytes>(io::Bytes(100, 'z')), "c.pth"); },
               {"c.pth", "no end-of-central-directory record"});
}

}  // namespace
}  // namespace idml::weights
