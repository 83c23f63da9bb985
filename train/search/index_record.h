// How an index was made, written by `idml embed` as PREFIX_index.json beside
// the index's files and read by `idml search` and `idml serve`:
//   - the weights that embedded it: the file's SHA-256 and path, the backbone,
//     D, and for an ImageNet backbone with fresh heads (--pretrained) their seed;
//   - the preprocessing that changes an embedding: the eval transform's crop
//     and resize sizes, its mean and std, the inference precision;
//   - the size and XXH3 of each file (file_checksum.h), so that a file changed
//     since, or from another `idml embed` run, is an error naming it;
//   - the HNSW index when one was built: its file and parameters.
// A query embedded from this record is embedded exactly as the index was.
// Not here: opening the files (index.h), the weights (index_weights.h).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "data/transforms.h"
#include "engine/precision.h"
#include "train/search/file_checksum.h"

namespace idml::search {

enum class WeightsSource { checkpoint, pretrained };

struct WeightsRecord {
  WeightsSource source = WeightsSource::checkpoint;
  std::string path;            // absolute, as given to `idml embed`
  std::string sha256;          // 64 hex digits of the file
  std::string model;           // "resnet50"
  int64_t embedding_size = 0;  // D
  uint64_t seed = 0;           // initialisation of the heads (pretrained only)
  bool l2_norm = true;
};

struct Preprocessing {
  int image_size = 224;   // centre crop
  int resize_size = 256;  // shorter side before the crop (PIL bilinear)
  std::array<float, 3> mean{0.485f, 0.456f, 0.406f}, std{0.229f, 0.224f, 0.225f};
  InferencePrecision precision = InferencePrecision::Float32;

  data::TransformOptions transform_options() const;
  bool operator==(const Preprocessing& other) const;
};

struct HnswRecord {
  FileFingerprint file;  // of PREFIX_hnsw.bin (hnswlib's own format)
  int64_t m = 16, ef_construction = 200;
  uint64_t seed = 100;
};

struct IndexRecord {
  static constexpr int kVersion = 1;
  WeightsRecord weights;
  Preprocessing preprocessing;
  int64_t count = 0, dim = 0;         // of the embeddings
  FileFingerprint embeddings, paths;  // of PREFIX.npy, PREFIX_paths.txt
  std::optional<HnswRecord> hnsw;     // absent: exact search only
};

// The files of an index, named by its prefix ("idx/photos" -> "idx/photos.npy", ...);
// the record holds no names, so an index renamed as a whole still opens.
struct IndexFiles {
  std::string embeddings, uncertainty, paths, hnsw, record;
};
IndexFiles index_files(const std::string& prefix);

// Writes PREFIX_index.json atomically.
void write_index_record(const std::string& prefix, const IndexRecord& record);

// The record of PREFIX, or nullopt when PREFIX_index.json does not exist (an
// index written before records). A malformed record, or one of another
// version, is an error naming the file and the field.
std::optional<IndexRecord> read_index_record(const std::string& prefix);

}  // namespace idml::search
