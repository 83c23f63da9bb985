// The ONNX library's checker and shape inference, and .onnx files.
#include "export/onnx_file.h"

#include <climits>
#include <fstream>
#include <sstream>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include "engine/error.h"
#include "io/atomic_file.h"

namespace idml::onnx_export {

void check_onnx_model(onnx::ModelProto& model) {
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    throw Error(std::string("export: the ONNX checker refused the graph: ") + e.what());
  }
  try {
    const onnx::ShapeInferenceOptions strict(/*check_type_val=*/true, /*strict_mode_val=*/1);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), strict);
  } catch (const std::exception& e) {
    throw Error(std::string("export: ONNX shape inference refused the graph: ") + e.what());
  }
}

std::string serialize_onnx_model(const onnx::ModelProto& model) {
  const size_t size = model.ByteSizeLong();
  IDML_CHECK(size <= static_cast<size_t>(INT_MAX), "export: the model takes ", size,
             " bytes, over protobuf's 2 GB limit (external data files are not written)");
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream coded(&raw);
    coded.SetSerializationDeterministic(true);
    IDML_CHECK(model.SerializeToCodedStream(&coded), "export: protobuf could not serialise the model");
  }
  return bytes;
}

int64_t write_onnx_model(const onnx::ModelProto& model, const std::string& path) {
  const std::string bytes = serialize_onnx_model(model);
  io::write_file_atomically(path, bytes);
  return static_cast<int64_t>(bytes.size());
}

onnx::ModelProto read_onnx_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  IDML_CHECK(in.good(), path, ": cannot open");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  onnx::ModelProto model;
  IDML_CHECK(model.ParseFromString(bytes.str()), path, ": not an ONNX model (protobuf parse failed)");
  return model;
}

}  // namespace idml::onnx_export
