// An index opened by its prefix, and top-k search in it: the interface of
// train/search that `idml search` and `idml serve` call.
//
//   search::Index index = search::Index::open("idx/photos");   // HNSW when built, else exact
//   auto found = index.search(queries, q, 10);                  // queries (q, D), L2-normalised
//   index.search(queries, q, 10, {/*ef=*/400});                 // HNSW: a longer candidate list
//   index.paths()[found.neighbours_of(0)[0]]                    // the best image of query 0
//
// Opening reads PREFIX_index.json (index_record.h) and checks every file it
// names (size and checksum) before using it, then the embeddings and paths;
// an HNSW index is checked further (hnsw_index.h). An index written before
// records (no PREFIX_index.json) opens as exact search, with record() empty:
// the caller decides how to embed its queries (`idml search` asks for the
// flags). Not here: embedding the queries (index_weights.h gives the network).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "train/metrics/nearest_neighbours.h"
#include "train/search/index_record.h"

namespace idml::search {

class HnswIndex;

enum class SearchMethod { automatic, exact, hnsw };

// HNSW's candidate list per query when not given (--ef): it reaches a mean
// recall@10 of 0.99 against exact search on the synthetic clustered sets of
// bench/train/bench_hnsw.cpp (train/search/README.md).
inline constexpr int64_t kDefaultEf = 100;

struct OpenOptions {
  // automatic: HNSW when the record lists one, exact otherwise.
  SearchMethod method = SearchMethod::automatic;
  // HNSW: candidates per query of the searches that do not give their own.
  int64_t ef = kDefaultEf;
};

struct SearchOptions {
  // HNSW: this search's candidates per query (max(ef, k) are used); 0: the
  // index's (OpenOptions::ef). Exact search ignores it.
  int64_t ef = 0;
};

class Index {
 public:
  static Index open(const std::string& prefix, const OpenOptions& options = {});
  Index(Index&&) noexcept;
  Index& operator=(Index&&) noexcept;
  ~Index();

  const std::string& prefix() const { return prefix_; }
  SearchMethod method() const { return method_; }  // exact or hnsw
  int64_t ef() const { return ef_; }               // HNSW's default candidate list, 0 for exact
  int64_t count() const { return count_; }
  int64_t dim() const { return dim_; }
  const std::vector<std::string>& paths() const { return paths_; }      // (count), the image of each row
  const std::vector<std::string>& classes() const { return classes_; }  // (count), "" when unknown
  // How the index was made; empty for an index written before records.
  const std::optional<IndexRecord>& record() const { return record_; }

  // Row `row`'s embedding (dim floats, L2-normalised), e.g. to search with an indexed image.
  std::vector<float> embedding(int64_t row) const;

  // queries (q, dim), L2-normalised; 1 <= k <= count(). Result: q rows of k
  // neighbours, best first, by exact_dot similarity (double, then float),
  // ties to the lower row. Exact: equals brute force. HNSW: the best k of
  // the graph's max(ef, k) candidates, ranked so. Safe from several threads,
  // each with its own options.
  metrics::NearestNeighbours search(const float* queries, int64_t q, int64_t k,
                                    const SearchOptions& options = {}) const;

 private:
  Index() = default;
  std::string prefix_;
  SearchMethod method_ = SearchMethod::exact;
  int64_t count_ = 0, dim_ = 0, ef_ = 0;
  std::vector<float> rows_;  // (count, dim) for exact search; empty with HNSW, which holds its own
  std::vector<std::string> paths_, classes_;
  std::optional<IndexRecord> record_;
  std::unique_ptr<HnswIndex> hnsw_;
};

}  // namespace idml::search
