// The ONNX graph of a folded IDML network (export/folded_network.h), as the
// ONNX project's own protobuf classes (libonnx 1.12):
//   images (N, 3, H, W) float32, normalised (export/README.md)
//   -> Conv+ReLU -> MaxPool 3x3/2 -> residual blocks (Conv [+ReLU], Add, ReLU; BN folded)
//   -> GlobalAveragePool + GlobalMaxPool -> Flatten -> Gemm (embedding), Gemm (uncertainty)
//   -> [each: x / Sqrt(ReduceSumSquare(x) + 1e-12)] -> semantic (N, D), uncertainty (N, D)
// N is the symbol "batch" or a fixed size; H and W are always symbols
// ("height", "width"): the network is fully convolutional up to the pooling.
// Not here: checking or writing the model (export/onnx_file.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <onnx/onnx_pb.h>

#include "export/folded_network.h"

namespace idml::onnx_export {

constexpr const char* kInputName = "images";
constexpr const char* kSemanticOutput = "semantic";
constexpr const char* kUncertaintyOutput = "uncertainty";
constexpr float kL2Epsilon = 1e-12f;  // models/idml_net.h: x / sqrt(sum x^2 + 1e-12)

struct GraphOptions {
  int opset = 17;                 // checked by export/export_options.h
  std::optional<int64_t> batch;   // empty: a dynamic batch (the symbol "batch")
  std::string producer_version;   // idml's version, in the model's producer fields
  std::vector<std::pair<std::string, std::string>> metadata;  // the model's metadata_props
};

onnx::ModelProto build_onnx_model(const FoldedNetwork& net, const GraphOptions& options);

// The oldest ONNX IR version that carries `opset` (onnx's own release table:
// opset 11 -> IR 6, 12-14 -> IR 7, 15-17 -> IR 8), so that older runtimes
// accept a file written for an older opset.
int64_t ir_version_for_opset(int opset);

}  // namespace idml::onnx_export
