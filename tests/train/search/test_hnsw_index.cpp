// idml::search::HnswIndex: a deterministic build, and the checks of a file
// before and after hnswlib reads it: truncated, damaged (checksum, links, a
// delete mark, a vector), wrong D, wrong count, wrong M, built from other
// embeddings. Every error names the file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "engine/error.h"
#include "tests/private_directory.h"
#include "tests/train/search/clustered_rows.h"
#include "train/search/hnsw_index.h"

namespace idml::search {
namespace {

constexpr int64_t kRows = 300, kDim = 16, kM = 8;

std::vector<float> rows_of(uint64_t seed) {
  return testing::clustered_unit_rows(kRows, kDim, {10, 1.0f, 0}, seed);
}

HnswBuildOptions small_build(uint64_t seed = 100) {
  HnswBuildOptions options;
  options.m = kM;
  options.ef_construction = 40;
  options.seed = seed;
  return options;
}

std::vector<char> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

void write_all(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The error HnswIndex::open throws, or "" when it opens.
std::string open_error(const std::string& path, const HnswExpectation& expected, const std::vector<float>& rows) {
  try {
    HnswIndex::open(path, expected, rows.data());
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

class HnswFile : public ::testing::Test {
 protected:
  void SetUp() override {
    rows = rows_of(1);
    path = testing::private_path("graph.bin");
    fingerprint = HnswIndex::build(rows.data(), kRows, kDim, small_build(), path);
    copy = testing::private_path("graph_copy.bin");
  }
  HnswExpectation expected(const FileFingerprint& file) const { return {file, kRows, kDim, kM}; }
  // A copy of the graph with `change` applied; returns its path.
  template <typename Change>
  std::string changed(Change change) const {
    std::vector<char> bytes = read_all(path);
    change(bytes);
    write_all(copy, bytes);
    return copy;
  }
  std::vector<float> rows;
  std::string path, copy;
  FileFingerprint fingerprint;
};

constexpr size_t kHeaderBytes = 96;  // hnswlib 0.6's header
size_t element_bytes() { return (2 * kM + 1) * 4 + kDim * 4 + 8; }  // links, vector, label

TEST_F(HnswFile, OpensAndFindsEachRowFirst) {
  const auto index = HnswIndex::open(path, expected(fingerprint), rows.data());
  EXPECT_EQ(index->count(), kRows);
  EXPECT_EQ(index->dim(), kDim);
  EXPECT_EQ(std::memcmp(index->row(7), rows.data() + 7 * kDim, kDim * sizeof(float)), 0);
  for (int64_t i : {0, 150, 299}) {
    for (int64_t ef : {5, 20}) {  // each call its own candidate list
      const std::vector<int64_t> found = index->candidates(rows.data() + i * kDim, ef);
      EXPECT_EQ(static_cast<int64_t>(found.size()), ef);
      EXPECT_NE(std::find(found.begin(), found.end(), i), found.end());
    }
  }
  EXPECT_EQ(index->candidates(rows.data(), kRows + 50).size(), size_t(kRows));  // ef past the index: every row
}

TEST_F(HnswFile, TheBuildIsDeterministic) {
  const std::string again = testing::private_path("graph_again.bin");
  EXPECT_EQ(HnswIndex::build(rows.data(), kRows, kDim, small_build(), again), fingerprint);
  EXPECT_EQ(read_all(again), read_all(path));
  EXPECT_NE(HnswIndex::build(rows.data(), kRows, kDim, small_build(7), again), fingerprint);  // another seed
}

TEST_F(HnswFile, ASizeOrChecksumOtherThanRecordedIsAnError) {
  const std::string truncated = changed([](std::vector<char>& b) { b.resize(b.size() - 100); });
  const std::string error = open_error(truncated, expected(fingerprint), rows);
  EXPECT_NE(error.find(truncated + " has " + std::to_string(fingerprint.bytes - 100) + " bytes but its index record says " +
                       std::to_string(fingerprint.bytes)),
            std::string::npos)
      << error;
  const std::string flipped = changed([](std::vector<char>& b) { b[kHeaderBytes + 70] ^= 1; });
  EXPECT_NE(open_error(flipped, expected(fingerprint), rows).find(flipped + " has checksum xxh3 "), std::string::npos);
}

TEST_F(HnswFile, ATruncatedFileWithAMatchingRecordIsAnError) {
  for (size_t keep : {size_t(50), kHeaderBytes + 10 * element_bytes(), read_all(path).size() - 2}) {
    const std::string truncated = changed([keep](std::vector<char>& b) { b.resize(keep); });
    const std::string error = open_error(truncated, expected(fingerprint_file(truncated)), rows);
    EXPECT_EQ(error.rfind(truncated + ": ", 0), 0u) << error;
    EXPECT_TRUE(error.find("truncated") != std::string::npos || error.find("shorter") != std::string::npos ||
                error.find("damaged") != std::string::npos)
        << error;
  }
}

TEST_F(HnswFile, WrongDCountOrMIsAnError) {
  EXPECT_NE(open_error(path, {fingerprint, kRows, 8, kM}, rows).find("holds vectors of 16 floats but the index has D = 8"),
            std::string::npos);
  EXPECT_NE(open_error(path, {fingerprint, kRows - 1, kDim, kM}, rows).find("holds 300 rows but the index has 299"),
            std::string::npos);
  EXPECT_NE(open_error(path, {fingerprint, kRows, kDim, 16}, rows).find("has M = 8 but its record says M = 16"),
            std::string::npos);
}

TEST_F(HnswFile, AGraphOfOtherEmbeddingsIsAnError) {
  const std::vector<float> others = rows_of(2);  // same count and D
  const std::string error = open_error(path, expected(fingerprint), others);
  EXPECT_NE(error.find(path + ": row 0's vector differs from the embeddings'"), std::string::npos) << error;
  // A vector changed after the build, the record rewritten to match: still found.
  const std::string damaged = changed([](std::vector<char>& b) { b[kHeaderBytes + 5 * element_bytes() + 80] ^= 0x40; });
  EXPECT_NE(open_error(damaged, expected(fingerprint_file(damaged)), rows).find("row 5's vector differs"),
            std::string::npos);
}

TEST_F(HnswFile, DamagedLinksAreAnErrorBeforeAnySearch) {
  const std::string out_of_range = changed([](std::vector<char>& b) {
    const uint32_t row = 0xfffffff0u;  // row 3's first bottom-level link
    std::memcpy(b.data() + kHeaderBytes + 3 * element_bytes() + 4, &row, 4);
  });
  EXPECT_NE(open_error(out_of_range, expected(fingerprint_file(out_of_range)), rows)
                .find("damaged (row 3 level 0 links to 4294967280)"),
            std::string::npos);
  const std::string deleted = changed([](std::vector<char>& b) { b[kHeaderBytes + 4 * element_bytes() + 2] = 1; });
  EXPECT_NE(open_error(deleted, expected(fingerprint_file(deleted)), rows).find("damaged (row 4 level 0 lists"),
            std::string::npos);
  const std::string not_hnsw = changed([](std::vector<char>& b) { b[8] ^= 1; });  // max_elements
  EXPECT_NE(open_error(not_hnsw, expected(fingerprint_file(not_hnsw)), rows).find(not_hnsw + ": "), std::string::npos);
}

TEST(HnswIndex, BadBuildOptionsAreErrorsNamingTheFlag) {
  const std::vector<float> rows = rows_of(3);
  HnswBuildOptions options = small_build();
  options.m = 1;
  EXPECT_THROW(
      try { HnswIndex::build(rows.data(), kRows, kDim, options, testing::private_path("x.bin")); } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("--hnsw-m"), std::string::npos);
        throw;
      },
      Error);
  EXPECT_FALSE(std::filesystem::exists(testing::private_path("x.bin")));
}

}  // namespace
}  // namespace idml::search
