// idml::search: exact search of an embedding index equals brute force, a row
// of the index finds itself first with similarity 1, and bad index files are
// clear errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "engine/error.h"
#include "train/metrics/evaluate.h"
#include "io/npy.h"
#include "train/search/embedding_index.h"
#include "tests/private_directory.h"
#include "tests/train/random_rows.h"

namespace idml::search {
namespace {

std::vector<float> random_rows(int64_t n, int64_t d, uint64_t seed) {  // unit rows
  std::vector<float> rows = testing::random_rows(n, d, seed);
  metrics::l2_normalize(rows.data(), n, d);
  return rows;
}

std::string temp_prefix(const std::string& name) {
  return idml::testing::private_path("search_" + name);
}

void write_paths(const std::string& path, int64_t count) {
  std::ofstream out(path);
  for (int64_t i = 0; i < count; ++i) out << "class" << i % 3 << "/img" << i << ".jpg\n";
}

TEST(SearchIndex, EqualsBruteForce) {
  const int64_t n = 3000, d = 24, q = 37, k = 10;
  std::vector<float> rows = random_rows(n, d, 1);
  for (int64_t c = 0; c < d; ++c) rows[static_cast<size_t>(7 * d + c)] = rows[static_cast<size_t>(5 * d + c)];  // a tie
  std::vector<float> queries = random_rows(q, d, 2);
  for (int64_t c = 0; c < d; ++c) queries[static_cast<size_t>(c)] = rows[static_cast<size_t>(5 * d + c)];
  const metrics::NearestNeighbours fast = search_index(queries.data(), q, rows.data(), n, d, k);
  const metrics::NearestNeighbours slow = search_index_reference(queries.data(), q, rows.data(), n, d, k);
  ASSERT_EQ(fast.n, q);
  ASSERT_EQ(fast.k, k);
  EXPECT_EQ(fast.indices, slow.indices);
  EXPECT_EQ(fast.similarities, slow.similarities);
  EXPECT_EQ(fast.indices[0], 5);  // the tie goes to the lower row
  EXPECT_EQ(fast.indices[1], 7);
}

TEST(SearchIndex, ARowOfTheIndexFindsItselfFirstWithSimilarityOne) {
  const int64_t n = 500, d = 64;
  const std::vector<float> rows = random_rows(n, d, 3);
  for (int64_t i : {0, 123, 499}) {
    const metrics::NearestNeighbours found = search_index(rows.data() + i * d, 1, rows.data(), n, d, 5);
    EXPECT_EQ(found.indices[0], i);
    EXPECT_NEAR(found.similarities[0], 1.0f, 1e-6f);
    EXPECT_LT(found.similarities[1], found.similarities[0]);
  }
}

TEST(SearchIndex, RejectsKLargerThanTheIndex) {
  const std::vector<float> rows = random_rows(4, 3, 4);
  EXPECT_THROW(search_index(rows.data(), 1, rows.data(), 4, 3, 5), Error);
}

TEST(EmbeddingIndex, LoadsRowsPathsAndClasses) {
  const std::string prefix = temp_prefix("ok");
  const std::vector<float> rows = {3, 4, 0, 2, 1, 0, 0, 0, 5};  // (3, 3), not normalised
  npy::write_npy(prefix + ".npy", rows.data(), {3, 3});
  write_paths(prefix + "_paths.txt", 3);
  const EmbeddingIndex index = load_embedding_index(prefix);
  EXPECT_EQ(index.count, 3);
  EXPECT_EQ(index.dim, 3);
  EXPECT_NEAR(index.rows[0], 0.6f, 1e-6f);  // normalised on load
  EXPECT_EQ(index.paths[2], "class2/img2.jpg");
  EXPECT_EQ(index.classes, (std::vector<std::string>{"class0", "class1", "class2"}));
}

TEST(EmbeddingIndex, NoClassesWhenEveryPathSharesOneFolder) {
  EXPECT_EQ(classes_from_paths({"a/x.jpg", "a/y.jpg"}), (std::vector<std::string>{"", ""}));
}

TEST(EmbeddingIndex, PathsThatDoNotMatchTheRowsAreAnError) {
  const std::string prefix = temp_prefix("mismatch");
  const std::vector<float> rows(12, 1.0f);
  npy::write_npy(prefix + ".npy", rows.data(), {4, 3});
  write_paths(prefix + "_paths.txt", 3);
  try {
    load_embedding_index(prefix);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("lists 3 images but " + prefix + ".npy has 4 rows"), std::string::npos)
        << e.what();
  }
}

TEST(EmbeddingIndex, MissingFilesAndWrongShapesAreErrors) {
  const std::string prefix = temp_prefix("missing");
  std::filesystem::remove(prefix + ".npy");
  EXPECT_THROW(load_embedding_index(prefix), Error);
  const std::vector<float> flat(6, 1.0f);
  npy::write_npy(prefix + ".npy", flat.data(), {6});
  write_paths(prefix + "_paths.txt", 6);
  EXPECT_THROW(load_embedding_index(prefix), Error);  // 1-D
  std::filesystem::remove(prefix + "_paths.txt");
  npy::write_npy(prefix + ".npy", flat.data(), {2, 3});
  EXPECT_THROW(load_embedding_index(prefix), Error);  // no paths file
}

}  // namespace
}  // namespace idml::search
