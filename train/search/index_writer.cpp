// Writing an index's files and record (see the header).
#include "train/search/index_writer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <unistd.h>

#include "engine/error.h"
#include "io/atomic_file.h"
#include "io/npy.h"
#include "train/metrics/evaluate.h"

namespace idml::search {

void prepare_index_prefix(const std::string& prefix, const std::string& flag) {
  IDML_CHECK(!prefix.empty() && std::filesystem::path(prefix).has_filename(), flag, " '", prefix,
             "': expected a prefix such as index/photos (a folder and a file name stem)");
  const std::filesystem::path folder = std::filesystem::path(prefix).parent_path();
  if (!folder.empty()) {
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    IDML_CHECK(!error, flag, " ", prefix, ": cannot create the folder ", folder.string(), ": ", error.message());
  }
  const std::string probe = prefix + "_paths.txt.probe." + std::to_string(::getpid()) + ".tmp";
  std::FILE* file = std::fopen(probe.c_str(), "w");
  IDML_CHECK(file != nullptr, flag, " ", prefix, ": cannot write ", probe, ": ", std::strerror(errno));
  std::fclose(file);
  std::remove(probe.c_str());
}

IndexRecord write_index(const std::string& prefix, const IndexContents& contents, const IndexWriteOptions& options) {
  IDML_CHECK(contents.semantic != nullptr && contents.paths != nullptr && contents.count >= 1 && contents.dim >= 1 &&
                 static_cast<int64_t>(contents.paths->size()) == contents.count,
             "write_index ", prefix, ": need count >= 1 embeddings of D >= 1 and one path per row, got ",
             contents.count, " x ", contents.dim, " and ",
             contents.paths ? static_cast<int64_t>(contents.paths->size()) : 0, " paths");
  prepare_index_prefix(prefix, "--out");
  const IndexFiles files = index_files(prefix);
  // The old record goes first: from here until the new one is written, the
  // files belong to no record.
  std::error_code ignored;
  std::filesystem::remove(files.record, ignored);
  std::filesystem::remove(files.hnsw, ignored);

  npy::write_npy(files.embeddings, contents.semantic, {contents.count, contents.dim});
  if (contents.uncertainty != nullptr)
    npy::write_npy(files.uncertainty, contents.uncertainty, {contents.count, contents.dim});
  std::string listing;
  for (const std::string& p : *contents.paths) {
    IDML_CHECK(!p.empty() && p.find('\n') == std::string::npos, "write_index ", prefix,
               ": an image path is empty or holds a line break: '", p, "'");
    listing += p + "\n";
  }
  io::write_file_atomically(files.paths, listing);

  IndexRecord record;
  record.weights = contents.weights;
  record.preprocessing = contents.preprocessing;
  record.count = contents.count;
  record.dim = contents.dim;
  record.embeddings = fingerprint_file(files.embeddings);
  record.paths = fingerprint_file(files.paths);
  if (options.kind == IndexKind::hnsw) {
    // The rows exactly as Index::open will read and normalise them.
    std::vector<float> rows(contents.semantic, contents.semantic + contents.count * contents.dim);
    metrics::l2_normalize(rows.data(), contents.count, contents.dim);
    HnswRecord hnsw;
    hnsw.m = options.hnsw.m;
    hnsw.ef_construction = options.hnsw.ef_construction;
    hnsw.seed = options.hnsw.seed;
    hnsw.file = HnswIndex::build(rows.data(), contents.count, contents.dim, options.hnsw, files.hnsw);
    record.hnsw = hnsw;
  }
  write_index_record(prefix, record);
  return record;
}

}  // namespace idml::search
