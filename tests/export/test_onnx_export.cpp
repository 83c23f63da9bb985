// export/onnx_export.h end to end: a checkpoint becomes a checked .onnx file
// that records where it came from; bad input (a missing or foreign
// checkpoint, a classification checkpoint, an unwritable --out, a bad
// --opset or --batch) is an error naming the file or flag, found before any
// work where it can be, and leaves nothing behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/error.h"
#include "export/onnx_export.h"
#include "export/onnx_file.h"
#include "io/atomic_file.h"
#include "models/classifier_net.h"
#include "models/sha256.h"
#include "tests/error_of.h"
#include "tests/export/export_fixtures.h"
#include "tests/private_directory.h"
#include "train/classify/classification_checkpoint.h"

namespace idml::testing {
namespace {

namespace fs = std::filesystem;

// A small trained-looking checkpoint: ResNet-18, D = 16, trained at 64 px.
const std::string& resnet18_checkpoint() {
  static const std::string path = [] {
    const std::string p = private_path("resnet18_d16.safetensors");
    save_checkpoint(*deterministic_net("resnet18", 16), p, {{"image_size", 64}, {"resize_size", 73}, {"l2_norm", true}});
    return p;
  }();
  return path;
}

std::map<std::string, std::string> metadata(const onnx::ModelProto& m) {
  std::map<std::string, std::string> out;
  for (const auto& p : m.metadata_props()) out[p.key()] = p.value();
  return out;
}

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(OnnxExport, WritesACheckedFileThatRecordsItsCheckpointAndPreprocessing) {
  const fs::path dir = fresh_directory("export_ok");
  const std::string out = (dir / "models" / "a" / "resnet18.onnx").string();  // folders created
  onnx_export::ExportOptions options;
  options.producer_version = "9.9.9";
  const onnx_export::ExportSummary s = onnx_export::export_onnx(resnet18_checkpoint(), out, options);
  EXPECT_EQ(s.backbone, "resnet18");
  EXPECT_EQ(s.embedding_size, 16);
  EXPECT_EQ(s.folded_convolutions, 20);
  EXPECT_EQ(s.nodes, 60);
  EXPECT_EQ(s.file_bytes, static_cast<int64_t>(fs::file_size(out)));
  EXPECT_EQ(files_in(dir / "models" / "a"), std::vector<std::string>{"resnet18.onnx"});  // no temporary left

  const onnx::ModelProto m = onnx_export::read_onnx_model(out);
  EXPECT_EQ(m.producer_name(), "idml");
  EXPECT_EQ(m.producer_version(), "9.9.9");
  EXPECT_EQ(m.opset_import(0).version(), 17);
  EXPECT_EQ(shape_text(m.graph().input(0)), "[batch, 3, height, width]");
  EXPECT_GT(m.graph().value_info_size(), 0);  // the inferred shapes are kept
  const auto md = metadata(m);
  EXPECT_EQ(md.at("idml.checkpoint_sha256"), models::sha256_of_file(resnet18_checkpoint()));
  EXPECT_EQ(md.at("idml.backbone"), "resnet18");
  EXPECT_EQ(md.at("idml.embedding_size"), "16");
  EXPECT_EQ(md.at("idml.l2_norm"), "1");
  EXPECT_EQ(md.at("idml.image_size"), "64");
  EXPECT_EQ(md.at("idml.resize_size"), "73");
  EXPECT_EQ(md.at("idml.mean"), "0.485,0.456,0.406");
  EXPECT_EQ(md.at("idml.std"), "0.229,0.224,0.225");

  // Fixed batch, another opset, no l2 normalisation: as asked.
  options.opset = 13;
  options.batch = 5;
  options.l2_norm = false;
  onnx_export::export_onnx(resnet18_checkpoint(), out, options);
  const onnx::ModelProto fixed = onnx_export::read_onnx_model(out);
  EXPECT_EQ(fixed.opset_import(0).version(), 13);
  EXPECT_EQ(shape_text(fixed.graph().output(1)), "[5, 16]");
  EXPECT_EQ(metadata(fixed).at("idml.l2_norm"), "0");
  EXPECT_EQ(fixed.graph().node_size(), 60 - 2 * 4);
}

TEST(OnnxExport, ACheckpointWithoutConfigGetsTheDefaultPreprocessing) {
  const std::string ckpt = private_path("no_config.safetensors");
  weights::StateDict dict;
  for (const auto& [name, t] : deterministic_net("resnet18", 8)->state_dict()) dict[name] = t.detach();
  dict["proxies"] = zeros({3, 8});  // a checkpoint's loss tensor: dropped
  weights::save_safetensors(ckpt, dict);
  const std::string out = private_path("no_config.onnx");
  onnx_export::export_onnx(ckpt, out, {});
  const auto md = metadata(onnx_export::read_onnx_model(out));
  EXPECT_EQ(md.at("idml.image_size"), "224");
  EXPECT_EQ(md.at("idml.resize_size"), "256");
}

TEST(OnnxExport, AMissingOrForeignCheckpointIsAnErrorNamingIt) {
  const std::string out = private_path("never.onnx");
  const std::string missing = private_path("missing.safetensors");
  EXPECT_NE(error_of([&] { onnx_export::export_onnx(missing, out, {}); }).find(missing), std::string::npos);
  const std::string junk = private_path("junk.safetensors");
  io::write_file_atomically(junk, "this is not a checkpoint");
  EXPECT_NE(error_of([&] { onnx_export::export_onnx(junk, out, {}); }).find(junk), std::string::npos);
  const std::string foreign = private_path("foreign.safetensors");
  weights::save_safetensors(foreign, {{"encoder.weight", zeros({2, 2})}});
  const std::string message = error_of([&] { onnx_export::export_onnx(foreign, out, {}); });
  EXPECT_NE(message.find(foreign + ": not an IDML model"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(out));
}

TEST(OnnxExport, AClassificationCheckpointIsRefused) {
  Generator gen(0);
  auto classifier = models::make_classifier({"pyramidnet", 10, 11, 24, true, 0}, gen);
  const std::string ours = private_path("classify_best.safetensors");
  train::classify::save_classifier_model(ours, classifier->module(), 3, nlohmann::json::object(), nlohmann::json::object());
  // A torchvision-style classifier without metadata: recognised by its names.
  const std::string torchvision = private_path("resnet_classifier.safetensors");
  weights::save_safetensors(torchvision, {{"conv1.weight", zeros({64, 3, 7, 7})}, {"fc.weight", zeros({10, 512})}});
  for (const std::string& path : {ours, torchvision}) {
    const std::string message = error_of([&] { onnx_export::export_onnx(path, private_path("c.onnx"), {}); });
    EXPECT_NE(message.find(path + ": a classification network"), std::string::npos) << message;
    EXPECT_NE(message.find("retrieval network only"), std::string::npos) << message;
  }
}

TEST(OnnxExport, AnUnwritableOutIsFoundBeforeTheCheckpointIsRead) {
  const fs::path dir = fresh_directory("export_out");
  const std::string missing = private_path("missing.safetensors");  // would be the next error
  EXPECT_EQ(error_of([&] { onnx_export::export_onnx(missing, dir.string(), {}); }),
            "--out " + dir.string() + ": is a folder; expected a file name such as model.onnx");
  const std::string file = (dir / "plain_file").string();
  io::write_file_atomically(file, "x");
  const std::string under_file = file + "/model.onnx";
  EXPECT_NE(error_of([&] { onnx_export::export_onnx(missing, under_file, {}); })
                .find("--out " + under_file + ": cannot create the folder " + file),
            std::string::npos);
  EXPECT_EQ(files_in(dir), std::vector<std::string>{"plain_file"});
  EXPECT_NE(error_of([&] { onnx_export::export_onnx(missing, "", {}); }).find("--out: expected a file name"),
            std::string::npos);
}

TEST(OnnxExport, BadOptionsAreRefusedFirstAndAFailureLeavesAnExistingFileAlone) {
  const std::string out = private_path("kept.onnx");
  io::write_file_atomically(out, "the previous export");
  const std::string missing = private_path("missing.safetensors");
  onnx_export::ExportOptions options;
  options.opset = 18;
  EXPECT_NE(error_of([&] { onnx_export::export_onnx(missing, out, options); }).find("--opset 18: expected 11 to 17"),
            std::string::npos);
  options.opset = 17;
  options.batch = 0;
  EXPECT_NE(error_of([&] { onnx_export::export_onnx(missing, out, options); }).find("--batch"), std::string::npos);
  options.batch = std::nullopt;
  EXPECT_NE(error_of([&] { onnx_export::export_onnx(missing, out, options); }).find(missing), std::string::npos);
  std::ifstream in(out);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "the previous export");
}

}  // namespace
}  // namespace idml::testing
