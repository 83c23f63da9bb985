// PREFIX_index.json: writing and reading the record of an index (see the header).
#include "train/search/index_record.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "engine/error.h"
#include "io/atomic_file.h"
#include "train/config_enums.h"

namespace idml::search {
namespace {

using nlohmann::json;

constexpr const char* kFormat = "idml index record";

const char* source_name(WeightsSource source) {
  return source == WeightsSource::checkpoint ? "checkpoint" : "pretrained";
}

json fingerprint_json(const FileFingerprint& f) { return {{"bytes", f.bytes}, {"xxh3", f.xxh3}}; }

// Reads fields of one record, naming the file and the field ("weights.sha256") in every error.
class RecordReader {
 public:
  explicit RecordReader(std::string file) : file_(std::move(file)) {}

  const json& object(const json& parent, const std::string& parent_name, const char* key) const {
    const std::string name = qualified(parent_name, key);
    IDML_CHECK(parent.is_object() && parent.contains(key), file_, ": the field ", name, " is missing");
    const json& value = parent.at(key);
    IDML_CHECK(value.is_object(), file_, ": the field ", name, " must be an object");
    return value;
  }

  template <typename T>
  T get(const json& parent, const std::string& parent_name, const char* key) const {
    const std::string name = qualified(parent_name, key);
    IDML_CHECK(parent.contains(key), file_, ": the field ", name, " is missing");
    try {
      return parent.at(key).get<T>();
    } catch (const json::exception&) {
      throw Error(detail::concat(file_, ": the field ", name, " has the wrong type: ", parent.at(key).dump()));
    }
  }

  int64_t count(const json& parent, const std::string& parent_name, const char* key, int64_t low, int64_t high) const {
    const json& value = parent.contains(key) ? parent.at(key) : json();
    IDML_CHECK(value.is_number_integer(), file_, ": the field ", qualified(parent_name, key),
               " must be an integer, got ", value.dump());
    const int64_t n = value.get<int64_t>();
    IDML_CHECK(n >= low && n <= high, file_, ": the field ", qualified(parent_name, key), " must be in [", low, ", ",
               high, "], got ", n);
    return n;
  }

  std::string hex(const json& parent, const std::string& parent_name, const char* key, size_t digits) const {
    const std::string text = get<std::string>(parent, parent_name, key);
    bool ok = text.size() == digits;
    for (char c : text) ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    IDML_CHECK(ok, file_, ": the field ", qualified(parent_name, key), " must be ", digits,
               " lower-case hex digits, got '", text, "'");
    return text;
  }

  FileFingerprint fingerprint(const json& parent, const std::string& parent_name, const char* key) const {
    const json& f = object(parent, parent_name, key);
    const std::string name = qualified(parent_name, key);
    return {count(f, name, "bytes", 0, INT64_MAX), hex(f, name, "xxh3", 16)};
  }

  std::array<float, 3> triple(const json& parent, const std::string& parent_name, const char* key) const {
    const auto values = get<std::vector<double>>(parent, parent_name, key);
    IDML_CHECK(values.size() == 3, file_, ": the field ", qualified(parent_name, key), " must list 3 numbers, got ",
               values.size());
    return {float(values[0]), float(values[1]), float(values[2])};
  }

 private:
  static std::string qualified(const std::string& parent, const char* key) {
    return parent.empty() ? key : parent + "." + key;
  }
  std::string file_;
};

}  // namespace

data::TransformOptions Preprocessing::transform_options() const {
  data::TransformOptions options;
  options.image_size = image_size;
  options.resize_size = resize_size;
  options.mean = mean;
  options.std = std;
  return options;
}

bool Preprocessing::operator==(const Preprocessing& other) const {
  return image_size == other.image_size && resize_size == other.resize_size && mean == other.mean &&
         std == other.std && precision == other.precision;
}

IndexFiles index_files(const std::string& prefix) {
  return {prefix + ".npy", prefix + "_uncertainty.npy", prefix + "_paths.txt", prefix + "_hnsw.bin",
          prefix + "_index.json"};
}

void write_index_record(const std::string& prefix, const IndexRecord& r) {
  json weights = {{"source", source_name(r.weights.source)},
                  {"path", r.weights.path},
                  {"sha256", r.weights.sha256},
                  {"model", r.weights.model},
                  {"embedding_size", r.weights.embedding_size},
                  {"l2_norm", r.weights.l2_norm}};
  if (r.weights.source == WeightsSource::pretrained) weights["seed"] = r.weights.seed;
  const Preprocessing& p = r.preprocessing;
  json record = {
      {"format", kFormat},
      {"version", IndexRecord::kVersion},
      {"weights", weights},
      {"preprocessing",
       {{"transform", "resize the shorter side (PIL bilinear), centre crop, (x / 255 - mean) / std"},
        {"image_size", p.image_size},
        {"resize_size", p.resize_size},
        {"mean", std::vector<double>(p.mean.begin(), p.mean.end())},
        {"std", std::vector<double>(p.std.begin(), p.std.end())},
        {"precision", train::choice_name(p.precision)}}},
      {"count", r.count},
      {"dim", r.dim},
      {"files", {{"embeddings", fingerprint_json(r.embeddings)}, {"paths", fingerprint_json(r.paths)}}}};
  if (r.hnsw) {
    record["files"]["hnsw"] = fingerprint_json(r.hnsw->file);
    record["hnsw"] = {{"space", "inner product of L2-normalised embeddings"},
                      {"m", r.hnsw->m},
                      {"ef_construction", r.hnsw->ef_construction},
                      {"seed", r.hnsw->seed}};
  }
  io::write_file_atomically(index_files(prefix).record, record.dump(2) + "\n");
}

std::optional<IndexRecord> read_index_record(const std::string& prefix) {
  const std::string file = index_files(prefix).record;
  if (!std::filesystem::exists(file)) return std::nullopt;
  std::ifstream in(file);
  IDML_CHECK(in, file, ": cannot open the index record");
  std::stringstream text;
  text << in.rdbuf();
  json j;
  try {
    j = json::parse(text.str());
  } catch (const json::exception& e) {
    throw Error(detail::concat(file, ": not a JSON index record (", e.what(), ")"));
  }
  IDML_CHECK(j.is_object() && j.value("format", "") == kFormat, file, ": not an idml index record (no \"format\": \"",
             kFormat, "\")");
  const RecordReader read(file);
  const int64_t version = read.count(j, "", "version", 1, INT32_MAX);
  IDML_CHECK(version == IndexRecord::kVersion, file, ": index record version ", version, ", this idml reads version ",
             IndexRecord::kVersion, ": re-run `idml embed` with this idml");

  IndexRecord r;
  const json& w = read.object(j, "", "weights");
  const std::string source = read.get<std::string>(w, "weights", "source");
  IDML_CHECK(source == "checkpoint" || source == "pretrained", file,
             ": the field weights.source must be checkpoint or pretrained, got '", source, "'");
  r.weights.source = source == "checkpoint" ? WeightsSource::checkpoint : WeightsSource::pretrained;
  r.weights.path = read.get<std::string>(w, "weights", "path");
  const bool no_file = r.weights.source == WeightsSource::pretrained && r.weights.path == "none";
  r.weights.sha256 = no_file ? read.get<std::string>(w, "weights", "sha256") : read.hex(w, "weights", "sha256", 64);
  IDML_CHECK(!no_file || r.weights.sha256.empty(), file, ": the field weights.sha256 must be \"\" with --pretrained none");
  r.weights.model = read.get<std::string>(w, "weights", "model");
  r.weights.embedding_size = read.count(w, "weights", "embedding_size", 1, 65536);
  r.weights.l2_norm = read.get<bool>(w, "weights", "l2_norm");
  if (r.weights.source == WeightsSource::pretrained) r.weights.seed = read.get<uint64_t>(w, "weights", "seed");

  const json& p = read.object(j, "", "preprocessing");
  r.preprocessing.image_size = int(read.count(p, "preprocessing", "image_size", 1, 2048));
  r.preprocessing.resize_size = int(read.count(p, "preprocessing", "resize_size", 1, 2048));
  r.preprocessing.mean = read.triple(p, "preprocessing", "mean");
  r.preprocessing.std = read.triple(p, "preprocessing", "std");
  try {
    r.preprocessing.precision =
        train::parse_choice<InferencePrecision>(read.get<std::string>(p, "preprocessing", "precision"), "precision");
  } catch (const Error& e) {
    throw Error(detail::concat(file, ": the field preprocessing.", e.what()));
  }

  r.count = read.count(j, "", "count", 1, INT64_MAX);
  r.dim = read.count(j, "", "dim", 1, 65536);
  IDML_CHECK(r.dim == r.weights.embedding_size, file, ": dim ", r.dim, " differs from weights.embedding_size ",
             r.weights.embedding_size);
  const json& files = read.object(j, "", "files");
  r.embeddings = read.fingerprint(files, "files", "embeddings");
  r.paths = read.fingerprint(files, "files", "paths");
  IDML_CHECK(files.contains("hnsw") == j.contains("hnsw"), file,
             ": files.hnsw and hnsw must be given together (an HNSW index's file and its parameters)");
  if (j.contains("hnsw")) {
    const json& h = read.object(j, "", "hnsw");
    HnswRecord hnsw;
    hnsw.file = read.fingerprint(files, "files", "hnsw");
    hnsw.m = read.count(h, "hnsw", "m", 2, 10000);
    hnsw.ef_construction = read.count(h, "hnsw", "ef_construction", 1, INT32_MAX);
    hnsw.seed = read.get<uint64_t>(h, "hnsw", "seed");
    r.hnsw = hnsw;
  }
  return r;
}

}  // namespace idml::search
