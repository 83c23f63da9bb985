// Crafted cars_annos.mat files whose headers declare more than the file holds:
// matio would allocate the declared size (gigabytes) before reading a byte, so
// the Cars reader must refuse them first, naming the file and the variable.
#include <gtest/gtest.h>

#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/mat_size_check.h"
#include "engine/error.h"
#include "layouts.h"

namespace idml::data {
namespace {

using Bytes = std::vector<uint8_t>;

void put32(Bytes& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
// A little-endian data element: tag, data, zero padding to 8 bytes.
void put_element(Bytes& b, uint32_t type, const Bytes& data) {
  put32(b, type);
  put32(b, static_cast<uint32_t>(data.size()));
  b.insert(b.end(), data.begin(), data.end());
  while (b.size() % 8) b.push_back(0);
}
Bytes u32s(std::initializer_list<uint32_t> values) {
  Bytes b;
  for (uint32_t v : values) put32(b, v);
  return b;
}
Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }

// miMATRIX contents: array flags, dimensions, name.
Bytes matrix_head(uint32_t class_type, std::initializer_list<uint32_t> dims, const std::string& name) {
  Bytes b;
  put_element(b, 6, u32s({class_type, 0}));
  put_element(b, 5, u32s(dims));
  put_element(b, 1, text(name));
  return b;
}
// A struct's contents up to its fields: one field name of 32 bytes.
Bytes struct_head(std::initializer_list<uint32_t> dims, const std::string& name, const std::string& field) {
  Bytes b = matrix_head(2, dims, name);
  put32(b, 4u << 16 | 5u);  // small element: miINT32, 4 bytes
  put32(b, 32);
  Bytes names(32, 0);
  std::copy(field.begin(), field.end(), names.begin());
  put_element(b, 1, names);
  return b;
}

Bytes mat_header() {
  Bytes b(116, ' ');
  const std::string title = "MATLAB 5.0 MAT-file, crafted by idml's tests";
  std::copy(title.begin(), title.end(), b.begin());
  b.resize(124, 0);
  b.push_back(0x00);
  b.push_back(0x01);  // version 0x0100, little-endian
  b.push_back('I');
  b.push_back('M');
  return b;
}

Bytes deflate(const Bytes& raw) {
  uLongf size = compressBound(raw.size());
  Bytes out(size);
  EXPECT_EQ(compress(out.data(), &size, raw.data(), raw.size()), Z_OK);
  out.resize(size);
  return out;
}

void expect_refused(const Bytes& file, std::initializer_list<std::string> parts) {
  testing::TempDir dir;
  testing::write_text(dir / "cars196/car_ims/.keep", "");
  testing::write_text(dir / "cars196/cars_annos.mat", std::string(file.begin(), file.end()));
  DatasetOptions options;
  options.name = "cars";
  options.root = dir.path().string();
  try {
    open_dataset(options);
    FAIL() << "opened a crafted cars_annos.mat";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cars_annos.mat"), std::string::npos) << e.what();
    for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

// 1 x 2^29 struct elements of one field: matio's field table alone is 4 GiB,
// allocated while reading the variable's header (Mat_VarReadInfo does it too).
TEST(MatSizeCheck, StructDeclaringMoreElementsThanBytesIsRefused) {
  Bytes file = mat_header();
  put_element(file, 14, struct_head({1, 1u << 29}, "annotations", "class"));
  expect_refused(file, {"annotations", "1 x 536870912", "can hold"});
}

// v7: one struct element whose 'class' field declares 1 x 2^30 doubles (8 GiB
// for matio's buffer), in a 100-byte compressed variable.
TEST(MatSizeCheck, CompressedFieldDeclaringGigabytesIsRefused) {
  Bytes annotations = struct_head({1, 1}, "annotations", "class");
  put_element(annotations, 14, matrix_head(6, {1, 1u << 30}, ""));
  Bytes variable;
  put_element(variable, 14, annotations);
  Bytes file = mat_header();
  const Bytes packed = deflate(variable);
  put32(file, 15);
  put32(file, static_cast<uint32_t>(packed.size()));
  file.insert(file.end(), packed.begin(), packed.end());
  expect_refused(file, {"annotations(1).class", "1 x 1073741824", "can hold"});
}

// Fuzzing found it (tests/fuzz/corpus/cars_mat/zero_size_variable.mat): a
// variable whose tag says 0 bytes, followed by a struct header declaring 1 x
// 2^29 elements. matio reads that header anyway and sized its field table
// from it (8 GB for the fuzzer's file); the walk must not skip it as empty.
TEST(MatSizeCheck, ZeroByteVariableIsRefused) {
  Bytes file = mat_header();
  put32(file, 14);
  put32(file, 0);
  const Bytes head = struct_head({1, 1u << 29}, "annotations", "class");
  file.insert(file.end(), head.begin(), head.end());
  expect_refused(file, {"0-byte array element"});
}

// Fuzzing found it (tests/fuzz/corpus/cars_mat/char_data_declaring_822MB.mat):
// a char field whose 1 x 18 dimensions are honest but whose data element's tag
// declares 822,083,602 bytes; matio callocs that before reading.
TEST(MatSizeCheck, DataElementDeclaringMoreBytesThanTheArrayIsRefused) {
  Bytes annotations = struct_head({1, 1}, "annotations", "relative_im_path");
  Bytes path = matrix_head(4, {1, 18}, "");
  put32(path, 16);  // miUTF8
  put32(path, 822083602);
  const std::string value = "car_ims/000001.jpg";
  path.insert(path.end(), value.begin(), value.end());
  while (path.size() % 8) path.push_back(0);
  put_element(annotations, 14, path);
  Bytes file = mat_header();
  put_element(file, 14, annotations);
  expect_refused(file, {"annotations(1).relative_im_path (data)", "822083602 bytes"});
}

// A cell nested 40 deep: refused before matio recurses that far.
TEST(MatSizeCheck, DeepNestingIsRefused) {
  Bytes inner;
  for (int level = 0; level < 40; ++level) {
    Bytes cell = matrix_head(1, {1, 1}, level == 39 ? "annotations" : "");
    if (!inner.empty()) put_element(cell, 14, inner);
    inner = cell;
  }
  Bytes file = mat_header();
  put_element(file, 14, inner);
  expect_refused(file, {"annotations{1}", "32 deep"});
}

TEST(MatSizeCheck, HdfVersionIsRefusedWithAHint) {
  Bytes file = mat_header();
  file[124] = 0x00;
  file[125] = 0x02;
  expect_refused(file, {"v7.3", "-v7"});
}

// The real file's shape passes: 1 x 3 struct, numeric fields of one double.
TEST(MatSizeCheck, HonestSizesPass) {
  Bytes annotations = struct_head({1, 3}, "annotations", "class");
  for (int i = 0; i < 3; ++i) {
    Bytes value = matrix_head(6, {1, 1}, "");
    put_element(value, 9, Bytes(8, 0));
    put_element(annotations, 14, value);
  }
  Bytes file = mat_header();
  put_element(file, 14, annotations);
  testing::TempDir dir;
  testing::write_text(dir / "annos.mat", std::string(file.begin(), file.end()));
  EXPECT_NO_THROW(check_mat_sizes(dir / "annos.mat"));
}

}  // namespace
}  // namespace idml::data
