// What `idml export` accepts, checked before anything is loaded: the opset,
// the batch dimension and the precision. Each refusal names the flag, the
// value and what is accepted.
// Opsets: 11 to 17. 17 is the newest the ONNX library here (libonnx 1.12)
// knows, and the last in which ReduceSumSquare takes `axes` as an attribute,
// as the graph writes it; 11 is the oldest written and checked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace idml::onnx_export {

constexpr int kMinOpset = 11;
constexpr int kDefaultOpset = 17;
constexpr int64_t kMaxFixedBatch = 1 << 20;

// The newest opset both libonnx (as linked) and this exporter support.
int max_opset();

// Throws naming --opset unless kMinOpset <= opset <= max_opset().
void check_opset(int opset);

// "dynamic" -> empty; a positive integer N (at most kMaxFixedBatch) -> N;
// anything else throws naming --batch.
std::optional<int64_t> parse_batch(const std::string& text);

// Only "fp32" is written; "fp16", "bf16" and anything else throw naming --precision.
void check_precision(const std::string& text);

}  // namespace idml::onnx_export
