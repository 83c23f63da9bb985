// Cars196: cars196/car_ims/*.jpg + cars196/cars_annos.mat. The .mat file (MATLAB
// v5, or v7 = v5 with zlib-compressed variables; read with matio) holds a
// 1 x 16,185 struct array `annotations` with fields relative_im_path
// ("car_ims/000001.jpg"), bbox_x1..bbox_y2, class (1-based) and test. The split
// ignores `test`, as the reference does: classes 1-98 train (8,054 images),
// 99-196 eval (8,131); label = class - 1.
#include <filesystem>
#include <memory>

#include <matio.h>

#include "data/dataset_layouts.h"
#include "data/mat_size_check.h"
#include "engine/error.h"

namespace fs = std::filesystem;

namespace idml::data {
namespace {

std::string char_array(const matvar_t* var) {
  std::string out;
  if (var == nullptr || var->class_type != MAT_C_CHAR || var->data == nullptr) return out;
  size_t n = 1;
  for (int d = 0; d < var->rank; ++d) n *= var->dims[d];  // bounded by check_mat_sizes
  if (var->data_size == 0 || var->nbytes / var->data_size < n) return out;
  // matio keeps MATLAB's storage: 8-bit (UTF-8) or 16-bit (UTF-16) code units.
  for (size_t i = 0; i < n; ++i) {
    uint32_t unit = 0;
    if (var->data_size == 1) unit = static_cast<const uint8_t*>(var->data)[i];
    else if (var->data_size == 2) unit = static_cast<const uint16_t*>(var->data)[i];
    else if (var->data_size == 4) unit = static_cast<const uint32_t*>(var->data)[i];
    if (unit == 0) break;
    out.push_back(static_cast<char>(unit < 128 ? unit : '?'));
  }
  return out;
}

// First element of a real numeric array, or false when `var` is not one.
bool first_number(const matvar_t* var, double& value) {
  if (var == nullptr || var->data == nullptr || var->isComplex) return false;
  // matio gives an empty array a 1-byte buffer; read a value only where one is.
  const size_t value_bytes = Mat_SizeOfClass(var->class_type);
  if (value_bytes == 0 || var->nbytes < value_bytes) return false;
  switch (var->class_type) {
    case MAT_C_DOUBLE: value = *static_cast<const double*>(var->data); return true;
    case MAT_C_SINGLE: value = *static_cast<const float*>(var->data); return true;
    case MAT_C_INT8: value = *static_cast<const int8_t*>(var->data); return true;
    case MAT_C_UINT8: value = *static_cast<const uint8_t*>(var->data); return true;
    case MAT_C_INT16: value = *static_cast<const int16_t*>(var->data); return true;
    case MAT_C_UINT16: value = *static_cast<const uint16_t*>(var->data); return true;
    case MAT_C_INT32: value = *static_cast<const int32_t*>(var->data); return true;
    case MAT_C_UINT32: value = *static_cast<const uint32_t*>(var->data); return true;
    case MAT_C_INT64: value = static_cast<double>(*static_cast<const int64_t*>(var->data)); return true;
    case MAT_C_UINT64: value = static_cast<double>(*static_cast<const uint64_t*>(var->data)); return true;
    default: return false;
  }
}

}  // namespace

std::unique_ptr<Dataset> open_cars(const std::string& root, Split split) {
  const fs::path dir = fs::path(root) / "cars196";
  const std::string mat_path = (dir / "cars_annos.mat").string();
  const std::string layout = "  " + root + "/cars196/cars_annos.mat\n  " + root +
      "/cars196/car_ims/000001.jpg ... 016185.jpg\n"
      "  (cars_annos.mat: struct array 'annotations' with fields relative_im_path, bbox_x1, bbox_y1,\n"
      "   bbox_x2, bbox_y2, class, test)";
  std::error_code ec;
  IDML_CHECK(fs::is_directory(dir, ec), "missing folder ", dir.string(), "\nexpected layout:\n", layout);
  IDML_CHECK(fs::is_regular_file(mat_path, ec), "missing ", mat_path, "\nexpected layout:\n", layout);

  // matio allocates what the headers declare before reading; bound that first.
  check_mat_sizes(mat_path);
  std::unique_ptr<mat_t, int (*)(mat_t*)> mat(Mat_Open(mat_path.c_str(), MAT_ACC_RDONLY), &Mat_Close);
  IDML_CHECK(mat != nullptr, mat_path, " is not a MATLAB v5/v7 file matio can read\nexpected layout:\n", layout);
  std::unique_ptr<matvar_t, void (*)(matvar_t*)> annotations(Mat_VarRead(mat.get(), "annotations"),
                                                              &Mat_VarFree);
  IDML_CHECK(annotations != nullptr, mat_path, " has no variable 'annotations'\nexpected layout:\n", layout);
  IDML_CHECK(annotations->class_type == MAT_C_STRUCT, mat_path,
             ": 'annotations' is not a struct array\nexpected layout:\n", layout);
  // matio dereferences a struct's field table without checking it (a crafted
  // file with a null one crashed Mat_VarGetStructFieldByName: fuzz_cars_mat).
  IDML_CHECK(annotations->data != nullptr && Mat_VarGetNumberOfFields(annotations.get()) > 0 &&
                 Mat_VarGetStructFieldnames(annotations.get()) != nullptr,
             mat_path, ": 'annotations' is an empty or damaged struct array\nexpected layout:\n", layout);
  for (const char* field : {"relative_im_path", "class"}) {
    IDML_CHECK(Mat_VarGetStructFieldByName(annotations.get(), field, 0) != nullptr, mat_path,
               ": 'annotations' has no field '", field, "'\nexpected layout:\n", layout);
  }
  size_t count = 1;
  for (int d = 0; d < annotations->rank; ++d) count *= annotations->dims[d];

  std::vector<std::string> paths;
  std::vector<int64_t> labels;
  for (size_t i = 0; i < count; ++i) {
    const std::string relative = char_array(Mat_VarGetStructFieldByName(annotations.get(), "relative_im_path", i));
    double class_id = 0;
    IDML_CHECK(!relative.empty() && first_number(Mat_VarGetStructFieldByName(annotations.get(), "class", i), class_id),
               mat_path, ": annotations(", i + 1, ") lacks a relative_im_path string or a numeric class");
    IDML_CHECK(class_id >= 1, mat_path, ": annotations(", i + 1, ").class = ", class_id, " (expected 1..196)");
    const int64_t label = static_cast<int64_t>(class_id) - 1;
    if ((label < 98) == (split == Split::Train)) {
      paths.push_back((dir / relative).string());
      labels.push_back(label);
    }
  }
  require_files_exist(paths, mat_path, layout);
  return std::make_unique<ImageFileDataset>(std::move(paths), std::move(labels));
}

}  // namespace idml::data
