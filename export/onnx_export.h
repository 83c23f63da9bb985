// `idml export` as a library call: checkpoint -> folded network -> ONNX graph
// -> checked by the ONNX library -> written atomically. The order puts the
// cheap refusals first: options, then --out (its folder is created; a folder
// or an unwritable place is refused before the checkpoint is read), then the
// checkpoint.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "export/export_options.h"

namespace idml::onnx_export {

struct ExportOptions {
  int opset = kDefaultOpset;
  std::optional<int64_t> batch;  // empty: dynamic
  bool l2_norm = true;           // as `idml embed --l2-norm`
  std::string producer_version;  // idml's version, recorded in the file
};

struct ExportSummary {
  std::string backbone;
  int64_t embedding_size = 0;
  int64_t folded_convolutions = 0;
  int64_t nodes = 0;
  int64_t parameters = 0;
  int64_t file_bytes = 0;
};

ExportSummary export_onnx(const std::string& checkpoint, const std::string& out, const ExportOptions& options);

// Throws naming --out when `out` is a folder, its folder cannot be created, or
// a file cannot be written there.
void check_writable_output(const std::string& out);

}  // namespace idml::onnx_export
