// Writing an index under a prefix, as `idml embed` does: the folder created,
// PREFIX.npy (semantic, N x D), PREFIX_uncertainty.npy, PREFIX_paths.txt, the
// HNSW graph when asked (PREFIX_hnsw.bin), and last the record
// (PREFIX_index.json) with every file's checksum. Until the record is written
// a reader finds no record, or the previous run's, whose checksums then name
// the changed files: a half-written index is never used as a whole one.
// Not here: computing the embeddings (train/evaluation.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "train/search/hnsw_index.h"
#include "train/search/index_record.h"

namespace idml::search {

enum class IndexKind { exact, hnsw };

struct IndexContents {
  const float* semantic = nullptr;     // (count, dim)
  const float* uncertainty = nullptr;  // (count, dim), or nullptr for none
  int64_t count = 0, dim = 0;
  const std::vector<std::string>* paths = nullptr;  // (count)
  WeightsRecord weights;
  Preprocessing preprocessing;
};

struct IndexWriteOptions {
  IndexKind kind = IndexKind::exact;
  HnswBuildOptions hnsw;  // with IndexKind::hnsw
};

// Creates the folder of `prefix` (and its parents) and checks that a file can
// be written there; errors name `flag` ("--out"). Cheap: run it before the
// embeddings are computed.
void prepare_index_prefix(const std::string& prefix, const std::string& flag);

// Writes the files above and returns the record written. A PREFIX_hnsw.bin
// left by an earlier run is removed when no graph is built.
IndexRecord write_index(const std::string& prefix, const IndexContents& contents, const IndexWriteOptions& options = {});

}  // namespace idml::search
