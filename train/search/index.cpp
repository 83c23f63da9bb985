// Opening an index by its prefix, checking its files against its record, and
// searching it exactly or through its HNSW graph (see the header).
#include "train/search/index.h"

#include <algorithm>
#include <exception>
#include <filesystem>

#include "engine/error.h"
#include "train/metrics/exact_dot.h"
#include "train/search/embedding_index.h"
#include "train/search/hnsw_index.h"

namespace idml::search {
namespace {

// A file of the index against its record: an error naming both when it changed.
void check_recorded(const std::string& path, const FileFingerprint& recorded, const std::string& record_path) {
  IDML_CHECK(std::filesystem::exists(path), path, " does not exist (", record_path, " lists it)");
  const FileFingerprint found = fingerprint_file(path);
  IDML_CHECK(found == recorded, path, " (", found.bytes, " bytes, xxh3 ", found.xxh3, ") is not the file ", record_path,
             " records (", recorded.bytes, " bytes, xxh3 ", recorded.xxh3,
             "): the files come from different `idml embed` runs; re-run `idml embed`");
}

SearchMethod choose_method(const std::string& prefix, const std::optional<IndexRecord>& record,
                           SearchMethod asked) {
  const IndexFiles files = index_files(prefix);
  const bool listed = record && record->hnsw;
  if (asked == SearchMethod::exact) return SearchMethod::exact;
  if (asked == SearchMethod::hnsw) {
    IDML_CHECK(listed, "--index ", prefix, " has no HNSW index", record ? "" : " (and no index record)",
               ": build one with `idml embed ... --out ", prefix, " --index hnsw`");
    return SearchMethod::hnsw;
  }
  if (listed) return SearchMethod::hnsw;
  IDML_CHECK(!std::filesystem::exists(files.hnsw), files.hnsw, " is not part of the index: ",
             record ? files.record + " lists no HNSW index" : "there is no index record " + files.record,
             " (a stale or foreign file: remove it, or re-run `idml embed --index hnsw`)");
  return SearchMethod::exact;
}

}  // namespace

Index::Index(Index&&) noexcept = default;
Index& Index::operator=(Index&&) noexcept = default;
Index::~Index() = default;

Index Index::open(const std::string& prefix, const OpenOptions& options) {
  Index index;
  index.prefix_ = prefix;
  index.record_ = read_index_record(prefix);
  index.method_ = choose_method(prefix, index.record_, options.method);
  const IndexFiles files = index_files(prefix);
  if (index.record_) {
    check_recorded(files.embeddings, index.record_->embeddings, files.record);
    check_recorded(files.paths, index.record_->paths, files.record);
  }
  EmbeddingIndex loaded = load_embedding_index(prefix);
  if (index.record_)
    IDML_CHECK(loaded.count == index.record_->count && loaded.dim == index.record_->dim, files.embeddings, " holds ",
               loaded.count, " x ", loaded.dim, " but ", files.record, " records ", index.record_->count, " x ",
               index.record_->dim);
  index.count_ = loaded.count;
  index.dim_ = loaded.dim;
  index.paths_ = std::move(loaded.paths);
  index.classes_ = std::move(loaded.classes);
  if (index.method_ == SearchMethod::hnsw) {
    IDML_CHECK(options.ef >= 1, "--ef must be at least 1, got ", options.ef);
    const HnswRecord& h = *index.record_->hnsw;
    index.hnsw_ = HnswIndex::open(files.hnsw, {h.file, loaded.count, loaded.dim, h.m}, loaded.rows.data());
    index.ef_ = options.ef;
  } else {
    index.rows_ = std::move(loaded.rows);
  }
  return index;
}

std::vector<float> Index::embedding(int64_t row) const {
  IDML_CHECK(row >= 0 && row < count_, "index ", prefix_, ": row ", row, " is out of range [0, ", count_, ")");
  const float* values = hnsw_ ? hnsw_->row(row) : rows_.data() + row * dim_;
  return std::vector<float>(values, values + dim_);
}

metrics::NearestNeighbours Index::search(const float* queries, int64_t q, int64_t k,
                                         const SearchOptions& options) const {
  IDML_CHECK(q >= 1, "search: need at least one query, got ", q);
  IDML_CHECK(k >= 1 && k <= count_, "search: k must be in [1, ", count_, "] (the index size), got ", k);
  IDML_CHECK(options.ef >= 0, "search: ef must be at least 1 (or 0: the index's), got ", options.ef);
  if (!hnsw_) return search_index(queries, q, rows_.data(), count_, dim_, k);
  const int64_t ef = std::max(options.ef > 0 ? options.ef : ef_, k);
  metrics::NearestNeighbours result;
  result.n = q;
  result.k = k;
  result.indices.resize(static_cast<size_t>(q * k));
  result.similarities.resize(static_cast<size_t>(q * k));
  std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic) if (q > 1)
  for (int64_t i = 0; i < q; ++i) {
    try {
      const float* query = queries + i * dim_;
      std::vector<int64_t> rows = hnsw_->candidates(query, ef);
      if (static_cast<int64_t>(rows.size()) < k) {  // the graph reached fewer rows: score them all
        rows.resize(static_cast<size_t>(count_));
        for (int64_t j = 0; j < count_; ++j) rows[static_cast<size_t>(j)] = j;
      }
      std::vector<ScoredRow> scored;
      scored.reserve(rows.size());
      for (int64_t j : rows) scored.push_back({metrics::exact_dot(query, hnsw_->row(j), dim_), j});
      std::partial_sort(scored.begin(), scored.begin() + k, scored.end(), ranks_before);
      for (int64_t r = 0; r < k; ++r) {
        result.indices[static_cast<size_t>(i * k + r)] = scored[static_cast<size_t>(r)].row;
        result.similarities[static_cast<size_t>(i * k + r)] = static_cast<float>(scored[static_cast<size_t>(r)].similarity);
      }
    } catch (...) {
#pragma omp critical(idml_index_search_failure)
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
  return result;
}

}  // namespace idml::search
