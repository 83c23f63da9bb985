// Checking `idml export`'s --opset, --batch and --precision.
#include "export/export_options.h"

#include <algorithm>
#include <cctype>

#include <onnx/common/version.h>
#include <onnx/defs/schema.h>

#include "engine/error.h"

namespace idml::onnx_export {

namespace {
constexpr int kNewestWrittenOpset = 17;  // opset 18 moves ReduceSumSquare's axes to an input
}

int max_opset() {
  const auto& ranges = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  const auto onnx_domain = ranges.find(onnx::ONNX_DOMAIN);
  IDML_CHECK(onnx_domain != ranges.end(), "the ONNX library has no opset range for the ai.onnx domain");
  return std::min(onnx_domain->second.second, kNewestWrittenOpset);
}

void check_opset(int opset) {
  IDML_CHECK(opset >= kMinOpset && opset <= max_opset(), "--opset ", opset, ": expected ", kMinOpset, " to ",
             max_opset(), " (ONNX opsets the exporter writes and libonnx ", onnx::LAST_RELEASE_VERSION, " checks)");
}

std::optional<int64_t> parse_batch(const std::string& text) {
  if (text == "dynamic") return std::nullopt;
  const bool digits = !text.empty() && text.size() <= 7 &&
                      std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  const int64_t n = digits ? std::stoll(text) : 0;
  IDML_CHECK(n >= 1 && n <= kMaxFixedBatch, "--batch: expected 'dynamic' or a batch size from 1 to ", kMaxFixedBatch,
             ", got '", text, "'");
  return n;
}

void check_precision(const std::string& text) {
  IDML_CHECK(text == "fp32", "--precision: expected fp32 (the only precision written; convert the file to fp16 with "
             "the runtime's own tools, e.g. trtexec --fp16), got '", text, "'");
}

}  // namespace idml::onnx_export
