// export_onnx: the steps of `idml export` in order.
#include "export/onnx_export.h"

#include <array>
#include <filesystem>
#include <sstream>

#include "data/transforms.h"
#include "engine/error.h"
#include "export/exported_checkpoint.h"
#include "export/folded_network.h"
#include "export/onnx_file.h"
#include "export/onnx_graph.h"
#include "io/atomic_file.h"

namespace idml::onnx_export {

namespace {

std::string joined(const std::array<float, 3>& v) {
  std::ostringstream s;
  s << v[0] << "," << v[1] << "," << v[2];
  return s.str();
}

// The model's metadata_props: what a runtime needs to feed it and to know where it came from.
std::vector<std::pair<std::string, std::string>> metadata_of(const ExportedCheckpoint& c, const FoldedNetwork& net) {
  const data::TransformOptions defaults;
  return {{"idml.backbone", net.backbone},
          {"idml.embedding_size", std::to_string(net.embedding.out_features)},
          {"idml.l2_norm", net.l2_norm ? "1" : "0"},
          {"idml.checkpoint_sha256", c.sha256},
          {"idml.resize_size", std::to_string(c.resize_size)},
          {"idml.image_size", std::to_string(c.image_size)},
          {"idml.mean", joined(defaults.mean)},
          {"idml.std", joined(defaults.std)},
          {"idml.input", "RGB, NCHW float32, (x / 255 - mean) / std"}};
}

}  // namespace

void check_writable_output(const std::string& out) {
  namespace fs = std::filesystem;
  std::error_code error;
  IDML_CHECK(!out.empty(), "--out: expected a file name, got ''");
  IDML_CHECK(!fs::is_directory(out, error), "--out ", out, ": is a folder; expected a file name such as model.onnx");
  const fs::path folder = fs::path(out).parent_path();
  if (!folder.empty() && !fs::is_directory(folder, error)) {
    fs::create_directories(folder, error);
    IDML_CHECK(!error, "--out ", out, ": cannot create the folder ", folder.string(), ": ", error.message());
  }
  try {
    io::AtomicFile probe(out);  // removed again when it goes out of scope
  } catch (const Error& e) {
    throw Error("--out " + out + ": cannot write there: " + e.what());
  }
}

ExportSummary export_onnx(const std::string& checkpoint, const std::string& out, const ExportOptions& options) {
  check_opset(options.opset);
  IDML_CHECK(!options.batch || (*options.batch >= 1 && *options.batch <= kMaxFixedBatch), "--batch: ", *options.batch,
             " is not a batch size from 1 to ", kMaxFixedBatch);
  check_writable_output(out);

  onnx::ModelProto model;
  ExportSummary summary;
  {
    const ExportedCheckpoint source =
        read_exported_checkpoint(checkpoint, options.l2_norm ? models::EmbeddingNorm::l2 : models::EmbeddingNorm::none);
    const FoldedNetwork folded = fold_network(*source.net);
    GraphOptions graph;
    graph.opset = options.opset;
    graph.batch = options.batch;
    graph.producer_version = options.producer_version;
    graph.metadata = metadata_of(source, folded);
    model = build_onnx_model(folded, graph);
    summary.backbone = folded.backbone;
    summary.embedding_size = folded.embedding.out_features;
    summary.folded_convolutions = folded.convolution_count();
    summary.parameters = folded.parameter_count();
  }
  check_onnx_model(model);
  summary.file_bytes = write_onnx_model(model, out);
  summary.nodes = model.graph().node_size();
  return summary;
}

}  // namespace idml::onnx_export
