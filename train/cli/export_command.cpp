// `idml export`: a trained IDML model as an ONNX file for other runtimes
// (onnxruntime, TensorRT, OpenVINO); the work is export/onnx_export.h's.
//   idml export --checkpoint F --out model.onnx [--opset 17] [--batch dynamic|N] [--precision fp32]
#include <cstdio>

#include "export/onnx_export.h"
#include "train/cli/commands.h"

namespace idml::cli {

namespace {

struct ExportArguments {
  std::string checkpoint, out, batch = "dynamic", precision = "fp32";
  int opset = onnx_export::kDefaultOpset;
  bool l2_norm = true;
};

}  // namespace

void add_export_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("export", "Write a trained model's embedding network as an ONNX file (export/README.md)");
  auto a = std::make_shared<ExportArguments>();
  cmd->add_option("--checkpoint", a->checkpoint, "a trained IDML model (.safetensors or the reference's .pth)")->required();
  cmd->add_option("--out", a->out, "the .onnx file to write (its folder is created)")->required();
  cmd->add_option("--opset", a->opset, "ONNX opset, " + std::to_string(onnx_export::kMinOpset) + " to " +
                                           std::to_string(onnx_export::max_opset()))
      ->capture_default_str();
  cmd->add_option("--batch", a->batch, "the input's batch dimension: dynamic, or a fixed size N")->capture_default_str();
  cmd->add_option("--precision", a->precision, "weights and activations: fp32 (the only one written)")->capture_default_str();
  cmd->add_option("--l2-norm", a->l2_norm, "1: both outputs l2-normalised, as idml embed")->capture_default_str();
  cmd->callback([a, &exit_code] {
    onnx_export::check_precision(a->precision);
    onnx_export::ExportOptions options;
    options.opset = a->opset;
    options.batch = onnx_export::parse_batch(a->batch);
    options.l2_norm = a->l2_norm;
    options.producer_version = IDML_VERSION;
    const onnx_export::ExportSummary s = onnx_export::export_onnx(a->checkpoint, a->out, options);
    std::printf("exported %s (D = %lld, %lld convolutions with their BatchNorm folded) -> %s: opset %d, batch %s, "
                "%lld nodes, %.2f M parameters, %.1f MB; checked by the ONNX checker and shape inference\n",
                s.backbone.c_str(), static_cast<long long>(s.embedding_size), static_cast<long long>(s.folded_convolutions),
                a->out.c_str(), a->opset, a->batch.c_str(), static_cast<long long>(s.nodes), s.parameters / 1e6,
                s.file_bytes / 1e6);
    exit_code = 0;
  });
}

}  // namespace idml::cli
