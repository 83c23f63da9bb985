// idml::search index records (PREFIX_index.json): a round trip keeps every
// field, no file means no record, and a malformed record is an error naming
// the file and the field.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <regex>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/error.h"
#include "tests/private_directory.h"
#include "train/search/index_record.h"

namespace idml::search {
namespace {

IndexRecord full_record() {
  IndexRecord r;
  r.weights.source = WeightsSource::pretrained;
  r.weights.path = "/weights/resnet18.pth";
  r.weights.sha256 = std::string(64, 'a');
  r.weights.model = "resnet18";
  r.weights.embedding_size = 16;
  r.weights.seed = 18446744073709551615ull;  // uint64 max survives JSON
  r.weights.l2_norm = false;
  r.preprocessing.image_size = 32;
  r.preprocessing.resize_size = 36;
  r.preprocessing.mean = {0.5f, 0.25f, 0.125f};
  r.preprocessing.std = {0.229f, 0.224f, 0.225f};
  r.preprocessing.precision = InferencePrecision::BFloat16;
  r.count = 1000;
  r.dim = 16;
  r.embeddings = {64128, "0123456789abcdef"};
  r.paths = {17000, "fedcba9876543210"};
  r.hnsw = HnswRecord{{123456, "00000000000000ff"}, 12, 150, 7};
  return r;
}

nlohmann::json record_json(const std::string& prefix) {
  std::ifstream in(index_files(prefix).record);
  return nlohmann::json::parse(in);
}

void write_json(const std::string& prefix, const nlohmann::json& j) {
  std::ofstream(index_files(prefix).record) << j.dump();
}

std::string read_error(const std::string& prefix) {
  try {
    read_index_record(prefix);
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

TEST(IndexRecord, RoundTripKeepsEveryField) {
  const std::string prefix = testing::private_path("record_round_trip");
  const IndexRecord written = full_record();
  write_index_record(prefix, written);
  const std::optional<IndexRecord> read = read_index_record(prefix);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->weights.source, WeightsSource::pretrained);
  EXPECT_EQ(read->weights.path, written.weights.path);
  EXPECT_EQ(read->weights.sha256, written.weights.sha256);
  EXPECT_EQ(read->weights.model, "resnet18");
  EXPECT_EQ(read->weights.embedding_size, 16);
  EXPECT_EQ(read->weights.seed, written.weights.seed);
  EXPECT_FALSE(read->weights.l2_norm);
  EXPECT_TRUE(read->preprocessing == written.preprocessing);  // float mean and std exactly
  EXPECT_EQ(read->count, 1000);
  EXPECT_EQ(read->dim, 16);
  EXPECT_EQ(read->embeddings, written.embeddings);
  EXPECT_EQ(read->paths, written.paths);
  ASSERT_TRUE(read->hnsw.has_value());
  EXPECT_EQ(read->hnsw->file, written.hnsw->file);
  EXPECT_EQ(read->hnsw->m, 12);
  EXPECT_EQ(read->hnsw->ef_construction, 150);
  EXPECT_EQ(read->hnsw->seed, 7u);
  const data::TransformOptions t = read->preprocessing.transform_options();
  EXPECT_EQ(t.image_size, 32);
  EXPECT_EQ(t.resize_size, 36);
  EXPECT_EQ(t.mean, written.preprocessing.mean);
}

TEST(IndexRecord, AnIndexWithoutARecordHasNone) {
  EXPECT_FALSE(read_index_record(testing::private_path("record_absent")).has_value());
}

TEST(IndexRecord, ACheckpointRecordHasNoSeedAndAnExactIndexNoHnsw) {
  const std::string prefix = testing::private_path("record_checkpoint");
  IndexRecord r = full_record();
  r.weights.source = WeightsSource::checkpoint;
  r.hnsw.reset();
  write_index_record(prefix, r);
  EXPECT_FALSE(record_json(prefix)["weights"].contains("seed"));
  EXPECT_FALSE(record_json(prefix).contains("hnsw"));
  EXPECT_FALSE(read_index_record(prefix)->hnsw.has_value());
  EXPECT_EQ(read_index_record(prefix)->weights.source, WeightsSource::checkpoint);
  EXPECT_EQ(read_index_record(prefix)->weights.seed, 0u);
}

TEST(IndexRecord, MalformedRecordsNameTheFileAndTheField) {
  const std::string prefix = testing::private_path("record_bad");
  const std::string file = index_files(prefix).record;
  write_index_record(prefix, full_record());
  using Json = nlohmann::json;
  const Json good = record_json(prefix);
  auto expect_error = [&](const Json& j, const std::string& pattern) {
    write_json(prefix, j);
    const std::string error = read_error(prefix);
    EXPECT_TRUE(std::regex_search(error, std::regex(pattern))) << "expected /" << pattern << "/, got: " << error;
    EXPECT_EQ(error.rfind(file + ": ", 0), 0u) << error;
  };
  // Each case changes one thing in a good record; the error names the file and what is wrong.
  const std::vector<std::pair<std::function<void(Json&)>, std::string>> cases = {
      {[](Json& j) { j["weights"].erase("sha256"); }, "the field weights\\.sha256 is missing"},
      {[](Json& j) { j["weights"]["sha256"] = "abc"; }, "weights\\.sha256 must be 64 lower-case hex digits, got 'abc'"},
      {[](Json& j) { j["preprocessing"]["image_size"] = 0; }, "preprocessing\\.image_size must be in \\[1, 2048\\], got 0"},
      {[](Json& j) { j["preprocessing"]["resize_size"] = "256"; }, "preprocessing\\.resize_size must be an integer"},
      {[](Json& j) { j["preprocessing"]["precision"] = "fp8"; }, "preprocessing\\.precision: expected fp32 or bf16, got 'fp8'"},
      {[](Json& j) { j["files"]["embeddings"].erase("xxh3"); }, "files\\.embeddings\\.xxh3 is missing"},
      {[](Json& j) { j["dim"] = 17; }, "dim 17 differs from weights\\.embedding_size 16"},
      {[](Json& j) { j.erase("hnsw"); }, "files\\.hnsw and hnsw must be given together"},
      {[](Json& j) { j["hnsw"]["m"] = 1; }, "hnsw\\.m must be in \\[2, 10000\\], got 1"},
      {[](Json& j) { j["version"] = 2; }, "index record version 2, this idml reads version 1"},
      {[](Json& j) { j.erase("format"); }, "not an idml index record"},
  };
  for (const auto& [change, pattern] : cases) {
    Json j = good;
    change(j);
    expect_error(j, pattern);
  }
  std::ofstream(file) << "{\"format\": ";
  EXPECT_NE(read_error(prefix).find(file + ": not a JSON index record"), std::string::npos);
}

}  // namespace
}  // namespace idml::search
