// Writers of the test layouts; see layouts.h.
#include "layouts.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <matio.h>
#include <zlib.h>

#include "golden_cases.h"

namespace fs = std::filesystem;

namespace idml::data::testing {

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "idml_data_test_XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void write_image(const std::string& path) {
  fs::create_directories(fs::path(path).parent_path());
  fs::copy_file(golden_path("in_c.png"), path, fs::copy_options::overwrite_existing);
}

void write_text(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

void make_image_folder(const std::string& dir, int classes, int per_class) {
  for (int c = 0; c < classes; ++c) {
    char name[32];
    std::snprintf(name, sizeof name, "class_%03d", c);
    for (int i = 0; i < per_class; ++i) write_image(dir + "/" + name + "/img_" + std::to_string(i) + ".png");
  }
}

namespace {

matvar_t* scalar_u16(int v) {
  size_t dims[2] = {1, 1};
  uint16_t value = static_cast<uint16_t>(v);
  return Mat_VarCreate(nullptr, MAT_C_UINT16, MAT_T_UINT16, 2, dims, &value, 0);
}

matvar_t* scalar_u8(int v) {
  size_t dims[2] = {1, 1};
  uint8_t value = static_cast<uint8_t>(v);
  return Mat_VarCreate(nullptr, MAT_C_UINT8, MAT_T_UINT8, 2, dims, &value, 0);
}

// MATLAB stores char arrays as UTF-16 code units (miUINT16), as in the real file.
matvar_t* string_var(const std::string& s) {
  size_t dims[2] = {1, s.size()};
  std::vector<uint16_t> units(s.begin(), s.end());
  return Mat_VarCreate(nullptr, MAT_C_CHAR, MAT_T_UINT16, 2, dims, units.data(), 0);
}

}  // namespace

void write_cars_annos(const std::string& path, const std::vector<CarAnnotation>& annotations,
                      bool compressed, const std::string& omit_field) {
  fs::create_directories(fs::path(path).parent_path());
  std::vector<const char*> fields;
  for (const char* f : {"relative_im_path", "bbox_x1", "bbox_y1", "bbox_x2", "bbox_y2", "class", "test"}) {
    if (omit_field != f) fields.push_back(f);
  }
  size_t dims[2] = {1, annotations.size()};
  matvar_t* var = Mat_VarCreateStruct("annotations", 2, dims, fields.data(), static_cast<unsigned>(fields.size()));
  for (size_t i = 0; i < annotations.size(); ++i) {
    const CarAnnotation& a = annotations[i];
    for (const char* f : fields) {
      const std::string field = f;
      matvar_t* value = field == "relative_im_path" ? string_var(a.relative_im_path)
                      : field == "class"            ? scalar_u8(a.class_id)
                      : field == "test"             ? scalar_u8(a.test)
                                                    : scalar_u16(10 + static_cast<int>(i));
      Mat_VarSetStructFieldByName(var, f, i, value);
    }
  }
  mat_t* mat = Mat_CreateVer(path.c_str(), nullptr, MAT_FT_MAT5);
  if (mat == nullptr) throw std::runtime_error("cannot create " + path);
  Mat_VarWrite(mat, var, compressed ? MAT_COMPRESSION_ZLIB : MAT_COMPRESSION_NONE);
  Mat_VarFree(var);
  Mat_Close(mat);
}

namespace {

void write_gzip(const std::string& path, const std::vector<uint8_t>& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  gzFile f = gzopen(path.c_str(), "wb");
  if (f == nullptr) throw std::runtime_error("cannot write " + path);
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

}  // namespace

void write_idx_images(const std::string& path, int count, int rows, int cols, const std::vector<uint8_t>& pixels) {
  std::vector<uint8_t> bytes;
  put_u32(bytes, 0x0803);
  put_u32(bytes, count);
  put_u32(bytes, rows);
  put_u32(bytes, cols);
  bytes.insert(bytes.end(), pixels.begin(), pixels.end());
  write_gzip(path, bytes);
}

void write_idx_labels(const std::string& path, const std::vector<uint8_t>& labels) {
  std::vector<uint8_t> bytes;
  put_u32(bytes, 0x0801);
  put_u32(bytes, static_cast<uint32_t>(labels.size()));
  bytes.insert(bytes.end(), labels.begin(), labels.end());
  write_gzip(path, bytes);
}

}  // namespace idml::data::testing
