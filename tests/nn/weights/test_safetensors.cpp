// safetensors: every readable dtype (golden file written by hand in
// make_weights.py), metadata, write -> read round trips, atomic writes, and
// the header validation, one bad header per check.
#include <gtest/gtest.h>

#include <cstdio>

#include "nn/weights/safetensors.h"
#include "weights_test_util.h"

namespace idml::weights {
namespace {

using testing::expect_error;
using testing::expect_golden;
using testing::golden;
using testing::read_bytes;
using testing::scratch;
using testing::write_bytes;

// A file with this JSON header text and `data_size` zero bytes of data.
std::string file_with_header(const std::string& name, const std::string& header, size_t data_size) {
  std::vector<uint8_t> bytes(8);
  const uint64_t n = header.size();
  std::memcpy(bytes.data(), &n, 8);
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.resize(bytes.size() + data_size, 0);
  const std::string path = scratch(name);
  write_bytes(path, bytes);
  return path;
}

TEST(Safetensors, ReadsEveryDtype) {
  Metadata metadata;
  const StateDict dict = load_safetensors(golden("dtypes.safetensors"), &metadata);
  expect_golden(dict, "dtypes.safetensors");
  EXPECT_EQ(dict.at("f16").dtype(), DType::Float32);
  EXPECT_EQ(dict.at("f64").dtype(), DType::Float64);  // kept exact (the golden lists its float32 rounding)
  EXPECT_EQ(dict.at("f64").to_vector<double>(), (std::vector<double>{1.0 / 3.0, -1e-40}));
  EXPECT_EQ(dict.at("flags").dtype(), DType::Int64);
  EXPECT_EQ(dict.at("scalar").dim(), 0);
  EXPECT_EQ(metadata.at("format"), "pt");
}

TEST(Safetensors, RoundTripKeepsNamesShapesValuesAndMetadata) {
  StateDict dict;
  dict["layer1.0.conv1.weight"] = from_vector<float>({1.5f, -2.0f, 3.25f, 0.0f, 1e-30f, -7.0f}, {1, 2, 3, 1});
  dict["bn1.num_batches_tracked"] = from_vector<int64_t>({int64_t(1) << 40}, {});
  dict["empty"] = from_vector<float>({}, {0, 4});
  dict["double"] = from_vector<double>({0.1, 2.0}, {2});  // written as F64, read back exactly
  const std::string path = scratch("round_trip.safetensors");
  save_safetensors(path, dict, {{"epoch", "7"}});
  Metadata metadata;
  const StateDict back = load_safetensors(path, &metadata);
  EXPECT_EQ(metadata, (Metadata{{"epoch", "7"}}));
  ASSERT_EQ(back.size(), dict.size());
  EXPECT_EQ(back.at("layer1.0.conv1.weight").shape(), (Shape{1, 2, 3, 1}));
  EXPECT_EQ(back.at("layer1.0.conv1.weight").to_vector<float>(), dict.at("layer1.0.conv1.weight").to_vector<float>());
  EXPECT_EQ(back.at("bn1.num_batches_tracked").dtype(), DType::Int64);
  EXPECT_EQ(back.at("bn1.num_batches_tracked").to_vector<int64_t>(), (std::vector<int64_t>{int64_t(1) << 40}));
  EXPECT_EQ(back.at("empty").shape(), (Shape{0, 4}));
  EXPECT_EQ(back.at("double").dtype(), DType::Float64);
  EXPECT_EQ(back.at("double").to_vector<double>(), (std::vector<double>{0.1, 2.0}));
  // The data section starts 8-byte aligned, as the reference writer does.
  const std::vector<uint8_t> bytes = read_bytes(path);
  uint64_t header_size;
  std::memcpy(&header_size, bytes.data(), 8);
  EXPECT_EQ(header_size % 8, 0u);
  std::remove(path.c_str());
}

TEST(Safetensors, GoldenFileRoundTripsThroughTheWriter) {
  const StateDict dict = load_safetensors(golden("dtypes.safetensors"));
  const std::string path = scratch("golden_again.safetensors");
  save_safetensors(path, dict);
  expect_golden(load_safetensors(path), "dtypes.safetensors");
  std::remove(path.c_str());
}

TEST(Safetensors, FailedWriteLeavesTheOldFile) {
  const std::string path = scratch("keep.safetensors");
  save_safetensors(path, {{"a", from_vector<float>({1}, {1})}});
  StateDict bad;
  bad["__metadata__"] = from_vector<float>({2}, {1});
  expect_error([&] { save_safetensors(path, bad); }, {path, "__metadata__"});
  EXPECT_EQ(load_safetensors(path).at("a").to_vector<float>(), (std::vector<float>{1}));
  expect_error([] { save_safetensors("/nonexistent/dir/x.safetensors", {}); }, {"/nonexistent/dir/x.safetensors.", ".tmp: cannot create", "No such file"});
  std::remove(path.c_str());
}

TEST(SafetensorsErrors, Truncated) {
  const std::string path = scratch("short.safetensors");
  write_bytes(path, {1, 2, 3});
  expect_error([&] { load_safetensors(path); }, {path, "truncated"});
  const std::string header_cut = file_with_header("cut.safetensors", "{}", 0);
  std::vector<uint8_t> bytes = read_bytes(header_cut);
  bytes[0] = 50;  // claims 50 header bytes, holds 2
  write_bytes(header_cut, bytes);
  expect_error([&] { load_safetensors(header_cut); }, {header_cut, "truncated", "header of 50 bytes"});
}

TEST(SafetensorsErrors, HeaderTooLarge) {
  const std::string path = scratch("huge.safetensors");
  std::vector<uint8_t> bytes(16, 0);
  const uint64_t n = uint64_t(1) << 40;
  std::memcpy(bytes.data(), &n, 8);
  write_bytes(path, bytes);
  expect_error([&] { load_safetensors(path); }, {path, "header too large"});
}

TEST(SafetensorsErrors, NotJson) {
  const std::string path = file_with_header("not_json.safetensors", "{\"a\": [", 0);
  expect_error([&] { load_safetensors(path); }, {path, "not valid JSON"});
}

TEST(SafetensorsErrors, OffsetsOutOfRange) {
  const std::string path =
      file_with_header("range.safetensors", R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})", 8);
  expect_error([&] { load_safetensors(path); }, {path, "'w'", "out of range", "holds 8 bytes"});
}

TEST(SafetensorsErrors, Overlap) {
  const std::string path = file_with_header(
      "overlap.safetensors",
      R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
      12);
  expect_error([&] { load_safetensors(path); }, {path, "'a' and 'b' overlap"});
}

TEST(SafetensorsErrors, UnknownDtype) {
  const std::string path =
      file_with_header("dtype.safetensors", R"({"w": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [0, 1]}})", 1);
  expect_error([&] { load_safetensors(path); }, {path, "'w'", "unknown dtype \"F8_E4M3\""});
}

TEST(SafetensorsErrors, ShapeAndLengthDisagree) {
  const std::string path =
      file_with_header("shape.safetensors", R"({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", 8);
  expect_error([&] { load_safetensors(path); }, {path, "'w'", "needs 12 bytes", "span 8"});
}

TEST(SafetensorsErrors, MalformedEntries) {
  const std::string no_offsets = file_with_header("fields.safetensors", R"({"w": {"dtype": "F32", "shape": [1]}})", 4);
  expect_error([&] { load_safetensors(no_offsets); }, {no_offsets, "needs dtype, shape and data_offsets"});
  const std::string negative =
      file_with_header("negative.safetensors", R"({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})", 4);
  expect_error([&] { load_safetensors(negative); }, {negative, "not a list of sizes"});
  const std::string metadata = file_with_header("meta.safetensors", R"({"__metadata__": {"a": 1}})", 0);
  expect_error([&] { load_safetensors(metadata); }, {metadata, "__metadata__ value of 'a' is not a string"});
  const std::string array = file_with_header("array.safetensors", "[1, 2]", 0);
  expect_error([&] { load_safetensors(array); }, {array, "not a JSON object"});
}

}  // namespace
}  // namespace idml::weights
