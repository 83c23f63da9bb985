// An HNSW graph (hnswlib, Debian's libhnswlib-dev) over the L2-normalised rows
// of an index, in hnswlib's inner-product space, so that it ranks as the exact
// search does (cosine similarity). Its file is hnswlib's own format (Python's
// `hnswlib.Index(space="ip", dim=D).load_index(path)` reads it).
//
// Building runs on one thread: the same rows, M, ef_construction and seed give
// the same file, byte for byte. hnswlib's multithreaded build is not
// deterministic (the threads insert in the order the scheduler gives them, and
// share its level generator without a lock), so it is not offered.
//
// Opening checks the file before hnswlib reads it (size and XXH3 as recorded,
// then hnswlib's header: D, the count and M as expected, every link list's
// size within the file), and after: every neighbour a row of the index on a
// level that row has, row i stored as label i, and every stored vector equal to
// the index's row, bit for bit (an index of other embeddings is an error).
// Errors name the file. Not here: the exact search, the record (index.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "train/search/file_checksum.h"

namespace idml::search {

struct HnswBuildOptions {
  int64_t m = 16;                 // neighbours per node (2M on the bottom level)
  int64_t ef_construction = 200;  // candidate list while inserting
  uint64_t seed = 100;            // the level generator's (hnswlib's default)
  std::function<void(int64_t inserted, int64_t total)> on_progress;  // every 1% when set
};

// What a file must hold to be used (from the index record and its embeddings).
struct HnswExpectation {
  FileFingerprint file;
  int64_t count = 0, dim = 0, m = 0;
};

class HnswIndex {
 public:
  // Builds the graph of rows (n, d), L2-normalised, row i as label i, and
  // writes it to `path` atomically. Returns the file's size and checksum.
  static FileFingerprint build(const float* rows, int64_t n, int64_t d, const HnswBuildOptions& options,
                               const std::string& path);

  // Opens `path` after the checks above; rows (count, dim) are the index's,
  // L2-normalised as when it was built.
  static std::unique_ptr<HnswIndex> open(const std::string& path, const HnswExpectation& expected, const float* rows);

  ~HnswIndex();
  HnswIndex(const HnswIndex&) = delete;
  HnswIndex& operator=(const HnswIndex&) = delete;

  // The `ef` rows the graph finds nearest to `query` (dim floats), ef >= 1
  // the search's candidate list (fewer rows when the graph reaches fewer), in
  // no particular order. Safe to call from several threads at once, each
  // with its own ef.
  std::vector<int64_t> candidates(const float* query, int64_t ef) const;

  // Row i's vector (dim floats), as stored in the graph.
  const float* row(int64_t i) const;

  int64_t count() const { return count_; }
  int64_t dim() const { return dim_; }

 private:
  struct Graph;
  HnswIndex(std::unique_ptr<Graph> graph, int64_t count, int64_t dim);
  std::unique_ptr<Graph> graph_;
  int64_t count_, dim_;
};

}  // namespace idml::search
