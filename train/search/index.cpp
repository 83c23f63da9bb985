// Opening an index by its prefix, checking its files against its record, and
// searching it exactly (see the header).
#include "train/search/index.h"

#include <filesystem>

#include "engine/error.h"
#include "train/search/embedding_index.h"

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

}  // namespace

Index::Index(Index&&) noexcept = default;
Index& Index::operator=(Index&&) noexcept = default;
Index::~Index() = default;

Index Index::open(const std::string& prefix) {
  Index index;
  index.prefix_ = prefix;
  index.record_ = read_index_record(prefix);
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
  index.rows_ = std::move(loaded.rows);
  return index;
}

std::vector<float> Index::embedding(int64_t row) const {
  IDML_CHECK(row >= 0 && row < count_, "index ", prefix_, ": row ", row, " is out of range [0, ", count_, ")");
  const float* values = rows_.data() + row * dim_;
  return std::vector<float>(values, values + dim_);
}

metrics::NearestNeighbours Index::search(const float* queries, int64_t q, int64_t k) const {
  IDML_CHECK(q >= 1, "search: need at least one query, got ", q);
  IDML_CHECK(k >= 1 && k <= count_, "search: k must be in [1, ", count_, "] (the index size), got ", k);
  return search_index(queries, q, rows_.data(), count_, dim_, k);
}

}  // namespace idml::search
