// .npy reader and writer: round trips, the dtypes and versions NumPy writes,
// byte-identical output to np.save, and clear errors naming the file.
// Fixtures in tests/train/golden/ come from its make_metrics_goldens.py.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engine/error.h"
#include "io/npy.h"
#include "tests/private_directory.h"

namespace {

using idml::npy::read_npy_float32;
using idml::npy::read_npy_header;
using idml::npy::read_npy_int64;
using idml::npy::write_npy;

std::string golden(const std::string& name) { return std::string(IDML_TRAIN_GOLDEN_DIR) + "/" + name; }

std::string temporary_path(const std::string& name) {
  return idml::testing::private_path("npy_" + name);
}

std::string read_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

// Expect f() to throw idml::Error whose message contains every one of `parts`.
template <typename F>
void expect_error(F&& f, const std::vector<std::string>& parts) {
  try {
    f();
    FAIL() << "no idml::Error thrown";
  } catch (const idml::Error& e) {
    for (const auto& part : parts) EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(Npy, Float32RoundTripKeepsShapeAndValues) {
  const std::string path = temporary_path("f32.npy");
  const std::vector<float> values = {1.5f, -2.0f, 3.25f, 0.0f, 1e-30f, 7.0f};
  write_npy(path, values.data(), {3, 2});
  const auto array = read_npy_float32(path);
  EXPECT_EQ(array.shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(array.values, values);
  std::remove(path.c_str());
}

TEST(Npy, Int64RoundTripOneDimensional) {
  const std::string path = temporary_path("i64.npy");
  const std::vector<int64_t> values = {-5, 0, 1LL << 40, 42};
  write_npy(path, values.data(), {4});
  const auto array = read_npy_int64(path);
  EXPECT_EQ(array.shape, (std::vector<int64_t>{4}));
  EXPECT_EQ(array.values, values);
  std::remove(path.c_str());
}

TEST(Npy, WriterOutputIsByteIdenticalToNumpySave) {
  const std::string path = temporary_path("same_as_numpy.npy");
  const std::vector<float> floats = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 2.5f};
  write_npy(path, floats.data(), {2, 3});
  EXPECT_EQ(read_bytes(path), read_bytes(golden("npy_float32.npy")));
  const std::vector<int64_t> ints = {-2, -1, 0, 1, 2, 3};
  write_npy(path, ints.data(), {6});
  EXPECT_EQ(read_bytes(path), read_bytes(golden("npy_int64.npy")));
  std::remove(path.c_str());
}

TEST(Npy, WriteIsAtomicAndLeavesNoTemporaryFile) {
  const auto folder = idml::testing::fresh_directory("npy_atomic");
  const std::vector<float> values = {1.0f, 2.0f};
  write_npy((folder / "out.npy").string(), values.data(), {2});
  write_npy((folder / "out.npy").string(), values.data(), {1, 2});  // overwrite in place
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) names.push_back(entry.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{"out.npy"});
  EXPECT_EQ(read_npy_float32((folder / "out.npy").string()).shape, (std::vector<int64_t>{1, 2}));
  std::filesystem::remove_all(folder);
}

TEST(Npy, WriteIntoMissingFolderNamesTheFile) {
  const std::vector<float> values = {1.0f};
  expect_error([&] { write_npy("/nonexistent_idml_folder/x.npy", values.data(), {1}); }, {"/nonexistent_idml_folder/x.npy"});
}

TEST(Npy, ReadsFloat64AsFloat32AndInt32AsInt64) {
  const auto floats = read_npy_float32(golden("npy_float64.npy"));
  EXPECT_EQ(floats.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(floats.values, (std::vector<float>{0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 2.5f}));
  const auto ints = read_npy_int64(golden("npy_int32.npy"));
  EXPECT_EQ(ints.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(ints.values, (std::vector<int64_t>{-2, -1, 0, 1, 2, 3}));
}

TEST(Npy, ReadsFormatVersion2) {
  const auto header = read_npy_header(golden("npy_version2.npy"));
  EXPECT_EQ(header.descr, "<f4");
  EXPECT_EQ(header.data_offset % 64, 0);
  EXPECT_EQ(read_npy_float32(golden("npy_version2.npy")).values, (std::vector<float>{0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 2.5f}));
}

TEST(Npy, RejectsFortranOrderNamingTheFile) {
  expect_error([] { read_npy_float32(golden("npy_fortran.npy")); }, {"npy_fortran.npy", "fortran_order"});
}

TEST(Npy, RejectsBigEndianAndOtherDtypes) {
  expect_error([] { read_npy_float32(golden("npy_big_endian.npy")); }, {"npy_big_endian.npy", ">f4"});
  expect_error([] { read_npy_int64(golden("npy_uint8.npy")); }, {"npy_uint8.npy", "|u1"});
  expect_error([] { read_npy_int64(golden("npy_float64.npy")); }, {"npy_float64.npy", "<f8", "int64"});
  expect_error([] { read_npy_float32(golden("npy_int32.npy")); }, {"npy_int32.npy", "<i4", "float32"});
}

TEST(Npy, MissingTruncatedAndNonNpyFilesNameTheFile) {
  expect_error([] { read_npy_float32("/nonexistent_idml_file.npy"); }, {"/nonexistent_idml_file.npy"});

  const std::string truncated = temporary_path("truncated.npy");
  const std::string full = read_bytes(golden("npy_float32.npy"));
  std::ofstream(truncated, std::ios::binary) << full.substr(0, full.size() - 3);
  expect_error([&] { read_npy_float32(truncated); }, {truncated, "truncated"});

  const std::string text = temporary_path("text.npy");
  std::ofstream(text) << "label\n1\n2\n";
  expect_error([&] { read_npy_int64(text); }, {text, "not a .npy file"});
  std::remove(truncated.c_str());
  std::remove(text.c_str());
}

// A version-1 file whose header declares `shape` over `data_bytes` zero bytes.
std::string write_with_shape(const std::string& name, const std::string& shape, size_t data_bytes) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  std::string file = std::string("\x93NUMPY\x01\x00", 8);
  file += static_cast<char>(dict.size() & 0xFF);
  file += static_cast<char>(dict.size() >> 8);
  file += dict + std::string(data_bytes, '\0');
  const std::string path = temporary_path(name);
  std::ofstream(path, std::ios::binary) << file;
  return path;
}

// Issue 13 item 2: 64 * (2^58 + 1) wraps to 64 elements (passed the size check,
// then `metrics` read past the buffer); 3037000500^2 overflows int64.
TEST(Npy, ShapeWhoseElementCountOverflowsIsRejectedNamingTheFile) {
  const std::string wraps = write_with_shape("wraps.npy", "(64, 288230376151711745)", 256);
  expect_error([&] { read_npy_float32(wraps); }, {wraps, "more elements than fit in 64 bits"});
  const std::string huge = write_with_shape("huge.npy", "(3037000500, 3037000500)", 256);
  expect_error([&] { read_npy_float32(huge); }, {huge, "more elements than fit in 64 bits"});
  const std::string fits = write_with_shape("fits.npy", "(8, 8)", 256);
  EXPECT_EQ(read_npy_float32(fits).values.size(), 64u);
  for (const auto& path : {wraps, huge, fits}) std::remove(path.c_str());
}

}  // namespace
