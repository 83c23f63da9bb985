// idml::search::Index and write_index: HNSW recall against exact search on
// clustered rows (and exact with every row a candidate), exact search equal to brute force, a self-query scoring 1,
// the choice of method, output folders created, files changed since the
// record and stale or foreign HNSW files named, indexes without a record, and
// the weights check (a different checkpoint is an error naming both).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "engine/error.h"
#include "io/npy.h"
#include "models/sha256.h"
#include "tests/private_directory.h"
#include "tests/train/search/clustered_rows.h"
#include "train/search/embedding_index.h"
#include "train/search/index.h"
#include "train/search/index_weights.h"
#include "train/search/index_writer.h"

namespace idml::search {
namespace {

constexpr int64_t kDim = 32;
const testing::Clusters kClusters{50, 1.0f, 0};

std::vector<std::string> paths_for(int64_t n) {
  std::vector<std::string> paths;
  for (int64_t i = 0; i < n; ++i) paths.push_back("class" + std::to_string(i % 7) + "/img" + std::to_string(i) + ".jpg");
  return paths;
}

struct WrittenIndex {
  std::string prefix;
  std::vector<float> rows;
  std::vector<std::string> paths;
};

WrittenIndex write(const std::string& name, int64_t n, IndexKind kind, uint64_t row_seed = 1) {
  WrittenIndex w{testing::private_path(name), testing::clustered_unit_rows(n, kDim, kClusters, row_seed), paths_for(n)};
  IndexContents contents;
  contents.semantic = w.rows.data();
  contents.count = n;
  contents.dim = kDim;
  contents.paths = &w.paths;
  contents.weights.path = "/runs/model.safetensors";
  contents.weights.sha256 = std::string(64, '0');
  contents.weights.model = "resnet18";
  contents.weights.embedding_size = kDim;
  contents.preprocessing.image_size = 64;
  IndexWriteOptions options;
  options.kind = kind;
  options.hnsw.ef_construction = 100;
  write_index(w.prefix, contents, options);
  return w;
}

std::string open_error(const std::string& prefix, const OpenOptions& options = {}) {
  try {
    Index::open(prefix, options);
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

TEST(Index, HnswRecallAt10AgainstExactSearchOnClusteredRows) {
  const WrittenIndex w = write("recall", 5000, IndexKind::hnsw);
  const Index hnsw = Index::open(w.prefix);
  ASSERT_EQ(hnsw.method(), SearchMethod::hnsw);
  EXPECT_EQ(hnsw.ef(), kDefaultEf);
  OpenOptions exact_options;
  exact_options.method = SearchMethod::exact;
  const Index exact = Index::open(w.prefix, exact_options);
  ASSERT_EQ(exact.method(), SearchMethod::exact);
  const int64_t q = 300, k = 10;
  const std::vector<float> queries = testing::clustered_unit_rows(q, kDim, kClusters, 2);
  const metrics::NearestNeighbours approximate = hnsw.search(queries.data(), q, k);
  const metrics::NearestNeighbours truth = exact.search(queries.data(), q, k);
  EXPECT_EQ(truth.indices, search_index_reference(queries.data(), q, w.rows.data(), 5000, kDim, k).indices);
  int64_t hits = 0;
  for (int64_t i = 0; i < q; ++i) {
    const std::set<int64_t> want(truth.neighbours_of(i), truth.neighbours_of(i) + k);
    for (int64_t r = 0; r < k; ++r) {
      const int64_t row = approximate.neighbours_of(i)[r];
      hits += want.count(row);
      if (r > 0) {
        EXPECT_GE(approximate.similarities[i * k + r - 1], approximate.similarities[i * k + r]);
      }
    }
  }
  const double recall = double(hits) / double(q * k);
  EXPECT_GE(recall, 0.99) << "HNSW recall@10 against exact search";  // 0.999 when measured; a broken graph: ~0.002
  // A result found by both ranks with the exact search's similarity.
  EXPECT_EQ(approximate.indices[0], truth.indices[0]);
  EXPECT_EQ(approximate.similarities[0], truth.similarities[0]);
  // Each search its own ef: every row as a candidate is exact search; an ef
  // below k still gives k results (max(ef, k) candidates).
  SearchOptions every_row;
  every_row.ef = 5000;
  EXPECT_EQ(hnsw.search(queries.data(), q, k, every_row).indices, truth.indices);
  SearchOptions short_list;
  short_list.ef = 2;
  EXPECT_EQ(hnsw.search(queries.data(), q, k, short_list).indices.size(), size_t(q * k));
  short_list.ef = -1;
  EXPECT_THROW(hnsw.search(queries.data(), q, k, short_list), Error);
}

TEST(Index, EveryRowFindsItselfFirstWithSimilarityOne) {
  const WrittenIndex w = write("self", 2000, IndexKind::hnsw);
  for (const SearchMethod method : {SearchMethod::hnsw, SearchMethod::exact}) {
    OpenOptions options;
    options.method = method;
    const Index index = Index::open(w.prefix, options);
    for (int64_t row : {0, 999, 1999}) {
      const std::vector<float> query = index.embedding(row);
      EXPECT_EQ(query, std::vector<float>(w.rows.begin() + row * kDim, w.rows.begin() + (row + 1) * kDim));
      const metrics::NearestNeighbours found = index.search(query.data(), 1, 3);
      EXPECT_EQ(found.indices[0], row);
      EXPECT_NEAR(found.similarities[0], 1.0f, 1e-6f);
    }
    EXPECT_EQ(index.paths()[5], "class5/img5.jpg");
    EXPECT_EQ(index.classes()[8], "class1");
    ASSERT_TRUE(index.record().has_value());
    EXPECT_EQ(index.record()->preprocessing.image_size, 64);
  }
}

TEST(Index, SearchEqualsBruteForce) {
  const WrittenIndex w = write("brute_force", 3000, IndexKind::exact);
  const std::vector<float> queries = testing::clustered_unit_rows(50, kDim, kClusters, 2);
  const metrics::NearestNeighbours found = Index::open(w.prefix).search(queries.data(), 50, 10);
  const metrics::NearestNeighbours truth = search_index_reference(queries.data(), 50, w.rows.data(), 3000, kDim, 10);
  EXPECT_EQ(found.indices, truth.indices);
  EXPECT_EQ(found.similarities, truth.similarities);
}

TEST(Index, KLargerThanTheIndexIsAnError) {
  const WrittenIndex w = write("small", 30, IndexKind::hnsw);
  const Index index = Index::open(w.prefix);
  EXPECT_THROW(index.search(w.rows.data(), 1, 31), Error);
  EXPECT_EQ(index.search(w.rows.data(), 2, 30).indices.size(), 60u);  // k = count: every row, through the graph or not
}

TEST(IndexWriter, CreatesTheOutputFolders) {
  const std::string prefix = testing::private_path("a/b/c/photos");
  EXPECT_FALSE(std::filesystem::exists(testing::private_path("a")));
  std::vector<float> rows(2 * kDim, 0.5f);
  const std::vector<std::string> paths = {"x.jpg", "y.jpg"};
  IndexContents contents;
  contents.semantic = rows.data();
  contents.count = 2;
  contents.dim = kDim;
  contents.paths = &paths;
  contents.weights.sha256 = std::string(64, '1');
  contents.weights.embedding_size = kDim;
  write_index(prefix, contents, {});
  for (const std::string& file : {prefix + ".npy", prefix + "_paths.txt", prefix + "_index.json"})
    EXPECT_TRUE(std::filesystem::exists(file)) << file;
  EXPECT_FALSE(std::filesystem::exists(prefix + "_uncertainty.npy"));  // none given
  std::ofstream(testing::private_path("a/file")) << "x";
  try {
    prepare_index_prefix(testing::private_path("a/file/photos"), "--out");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--out " + testing::private_path("a/file/photos") + ": cannot create the folder"),
              std::string::npos)
        << e.what();
  }
}

TEST(Index, MethodChoice) {
  const WrittenIndex exact_only = write("exact_only", 100, IndexKind::exact);
  EXPECT_EQ(Index::open(exact_only.prefix).method(), SearchMethod::exact);
  EXPECT_EQ(Index::open(exact_only.prefix).ef(), 0);
  OpenOptions hnsw;
  hnsw.method = SearchMethod::hnsw;
  EXPECT_NE(open_error(exact_only.prefix, hnsw).find("--index " + exact_only.prefix + " has no HNSW index"),
            std::string::npos);
  hnsw.ef = 0;
  EXPECT_NE(open_error(write("ef0", 100, IndexKind::hnsw).prefix, hnsw).find("--ef must be at least 1"),
            std::string::npos);
}

TEST(Index, AnHnswFileTheRecordDoesNotListIsAnError) {
  const WrittenIndex with_graph = write("foreign_source", 100, IndexKind::hnsw);
  const WrittenIndex exact_only = write("foreign_target", 100, IndexKind::exact);
  std::filesystem::copy_file(index_files(with_graph.prefix).hnsw, index_files(exact_only.prefix).hnsw);
  const std::string error = open_error(exact_only.prefix);
  EXPECT_NE(error.find(index_files(exact_only.prefix).hnsw + " is not part of the index"), std::string::npos) << error;
  OpenOptions exact;
  exact.method = SearchMethod::exact;
  EXPECT_EQ(open_error(exact_only.prefix, exact), "");  // asked for exact search: the stray file is not read
  write("foreign_target", 100, IndexKind::exact);         // embedding again removes it
  EXPECT_FALSE(std::filesystem::exists(index_files(exact_only.prefix).hnsw));
}

TEST(Index, AnHnswFileOfAnotherIndexIsAnError) {
  const WrittenIndex a = write("stale_a", 200, IndexKind::hnsw, 1);
  const WrittenIndex b = write("stale_b", 200, IndexKind::hnsw, 2);
  std::filesystem::copy_file(index_files(b.prefix).hnsw, index_files(a.prefix).hnsw,
                             std::filesystem::copy_options::overwrite_existing);
  const std::string error = open_error(a.prefix);
  EXPECT_NE(error.find(index_files(a.prefix).hnsw + " has checksum xxh3 "), std::string::npos) << error;
}

TEST(Index, FilesChangedSinceTheRecordAreNamed) {
  const WrittenIndex w = write("changed", 100, IndexKind::exact);
  const IndexFiles files = index_files(w.prefix);
  std::vector<float> other = testing::clustered_unit_rows(100, kDim, kClusters, 9);
  npy::write_npy(files.embeddings, other.data(), {100, kDim});  // same shape, other rows
  std::string error = open_error(w.prefix);
  EXPECT_NE(error.find(files.embeddings + " ("), std::string::npos) << error;
  EXPECT_NE(error.find("is not the file " + files.record + " records"), std::string::npos) << error;
  write("changed", 100, IndexKind::exact);
  std::ofstream(files.paths, std::ios::app) << "extra.jpg\n";
  error = open_error(w.prefix);
  EXPECT_NE(error.find(files.paths + " ("), std::string::npos) << error;
  std::filesystem::remove(files.paths);
  EXPECT_NE(open_error(w.prefix).find(files.paths + " does not exist (" + files.record + " lists it)"),
            std::string::npos);
}

TEST(Index, AnIndexWithoutARecordOpensForExactSearch) {
  const WrittenIndex w = write("legacy", 100, IndexKind::exact);
  std::filesystem::remove(index_files(w.prefix).record);
  const Index index = Index::open(w.prefix);
  EXPECT_FALSE(index.record().has_value());
  EXPECT_EQ(index.method(), SearchMethod::exact);
  EXPECT_EQ(index.count(), 100);
  const metrics::NearestNeighbours found = index.search(w.rows.data() + 7 * kDim, 1, 1);
  EXPECT_EQ(found.indices[0], 7);
  const WrittenIndex g = write("legacy_graph", 100, IndexKind::hnsw);
  std::filesystem::remove(index_files(g.prefix).record);
  EXPECT_NE(open_error(g.prefix).find("there is no index record"), std::string::npos);
}

// load_index_net compares SHA-256s before it reads any weights, so plain files do here.
TEST(IndexWeights, ADifferentCheckpointIsAnErrorNamingBoth) {
  const std::string embedded_with = testing::private_path("weights_a.bin"), other = testing::private_path("weights_b.bin");
  std::ofstream(embedded_with) << "the weights that embedded the index";
  std::ofstream(other) << "some other weights";
  IndexRecord record;
  record.weights.path = embedded_with;
  record.weights.sha256 = models::sha256_of_file(embedded_with);
  record.dim = 16;
  const std::string prefix = testing::private_path("weights_index");
  try {
    load_index_net(record, prefix, other, Device::cpu());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string error = e.what();
    EXPECT_NE(error.find("--checkpoint " + other + " (sha256 " + models::sha256_of_file(other) + ")"),
              std::string::npos) << error;
    EXPECT_NE(error.find("the checkpoint " + embedded_with + " (sha256 " + record.weights.sha256 + ")"),
              std::string::npos) << error;
  }
  std::ofstream(embedded_with, std::ios::app) << ", changed";  // the recorded file, changed since
  try {
    load_index_net(record, prefix, "", Device::cpu());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(embedded_with + " has changed since it embedded --index " + prefix),
              std::string::npos) << e.what();
  }
  std::filesystem::remove(embedded_with);
  try {
    load_index_net(record, prefix, "", Device::cpu());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("which does not exist here: pass --checkpoint"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace idml::search
