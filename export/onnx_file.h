// Checking an ONNX model with the ONNX library and moving it to and from disk.
//   check_onnx_model: onnx::checker::check_model, then onnx's shape inference
//     in strict mode (a node it cannot infer, or an inferred shape that
//     contradicts a declared one, is an error); the inferred shapes of the
//     intermediate tensors stay in the model as value_info.
//   write_onnx_model: deterministic protobuf serialisation (the same model
//     gives the same bytes), written atomically (io/atomic_file.h).
// Not here: external data files (models over protobuf's 2 GB limit are
// refused; ResNet-101 is 0.2 GB) or any graph building.
#pragma once

#include <cstdint>
#include <string>

#include <onnx/onnx_pb.h>

namespace idml::onnx_export {

// Throws idml::Error with the library's message when the checker or the shape inference refuses the model.
void check_onnx_model(onnx::ModelProto& model);

// The model's bytes, serialised deterministically.
std::string serialize_onnx_model(const onnx::ModelProto& model);

// Writes serialize_onnx_model's bytes atomically; returns their number.
int64_t write_onnx_model(const onnx::ModelProto& model, const std::string& path);

// Parses a .onnx file; throws naming the file when it cannot be read or parsed.
onnx::ModelProto read_onnx_model(const std::string& path);

}  // namespace idml::onnx_export
