// SHA-256 against the FIPS 180-4 / NIST test vectors, streamed in odd pieces,
// and sha256_of_file against the same bytes written to disk.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/error.h"
#include "models/sha256.h"
#include "tests/private_directory.h"

namespace {

std::string sha256(const std::string& text, size_t piece) {
  idml::models::Sha256 hash;
  for (size_t at = 0; at < text.size(); at += piece) hash.update(text.data() + at, std::min(piece, text.size() - at));
  return hash.hex_digest();
}

TEST(Sha256, NistVectorsWhateverThePieces) {
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";  // 448 bits
  for (const size_t piece : {size_t(1), size_t(7), size_t(64), size_t(1000)}) {
    EXPECT_EQ(sha256("", piece), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256("abc", piece), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256(two_blocks, piece), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  }
  EXPECT_EQ(sha256(std::string(1000000, 'a'), 4096),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, OfFileAndMissingFile) {
  const std::string path = idml::testing::private_path("sha256.bin");
  std::ofstream(path, std::ios::binary) << std::string(3000000, 'a');  // three 1 MiB reads
  EXPECT_EQ(idml::models::sha256_of_file(path), sha256(std::string(3000000, 'a'), 65536));
  std::remove(path.c_str());
  EXPECT_THROW(idml::models::sha256_of_file(path), idml::Error);
}

}  // namespace
