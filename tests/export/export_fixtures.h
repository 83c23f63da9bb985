// Shared by the export tests: IDML nets with reproducible weights, saved as
// checkpoints the way `idml train` names them, and the op counts of a graph.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <onnx/onnx_pb.h>

#include "models/idml_net.h"
#include "nn/weights/safetensors.h"
#include "tests/models/deterministic_fill.h"

namespace idml::testing {

// An IDML net whose every tensor comes from tests/models/deterministic_fill.h
// (BN statistics and affine terms far from 0 and 1, so a wrong fold shows).
inline std::unique_ptr<models::IDMLNet> deterministic_net(const std::string& backbone, int64_t embedding_size) {
  models::IDMLNetConfig config;
  config.backbone = backbone;
  config.embedding_size = embedding_size;
  Generator gen(0);
  auto net = std::make_unique<models::IDMLNet>(config, gen);
  deterministic_fill(*net);
  net->eval();
  return net;
}

// A model checkpoint as train/checkpoint.h writes one (proxies left out; the
// exporter drops them), with `config` as its idml.config.
inline void save_checkpoint(const models::IDMLNet& net, const std::string& path,
                            const nlohmann::json& config = nlohmann::json::object()) {
  weights::StateDict dict;
  for (const auto& [name, tensor] : net.state_dict()) dict[name] = tensor.detach();
  weights::save_safetensors(path, dict, {{"idml.kind", "model"}, {"idml.config", config.dump()}});
}

inline std::map<std::string, int> op_counts(const onnx::GraphProto& graph) {
  std::map<std::string, int> counts;
  for (const onnx::NodeProto& node : graph.node()) ++counts[node.op_type()];
  return counts;
}

// A value's shape as text: "[batch, 3, height, width]".
inline std::string shape_text(const onnx::ValueInfoProto& v) {
  std::string s = "[";
  for (const auto& d : v.type().tensor_type().shape().dim()) {
    if (s.size() > 1) s += ", ";
    s += d.has_dim_param() ? d.dim_param() : std::to_string(d.dim_value());
  }
  return s + "]";
}

}  // namespace idml::testing
