// The exported file computes idml's own embeddings: onnxruntime's outputs for
// the file this test writes (committed in golden/onnx_resnet18.json by
// scripts/dev/make_onnx_golden.py) equal idml's forward of the same
// checkpoint on the same input, cosine >= 0.99999 per image and output.
// The weights come from tests/models/deterministic_fill.h, so the test writes
// the same file on every machine; the golden records the SHA-256 of that
// file's graph (nodes, initializers, shapes), and a different graph fails
// here first: the exporter changed, rerun the script.
// IDML_ONNX_GOLDEN_OUT=DIR (the script sets it) also writes the file, the
// input and the graph's SHA-256 to DIR.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <nlohmann/json.hpp>

#include "engine/autograd.h"
#include "export/onnx_export.h"
#include "export/onnx_file.h"
#include "io/atomic_file.h"
#include "io/npy.h"
#include "models/sha256.h"
#include "models/trained_net.h"
#include "tests/export/export_fixtures.h"
#include "tests/private_directory.h"

namespace idml::testing {
namespace {

constexpr int64_t kBatch = 2, kImage = 64, kEmbedding = 32;

std::string graph_sha256(const onnx::ModelProto& m) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream coded(&raw);
    coded.SetSerializationDeterministic(true);
    m.graph().SerializeToCodedStream(&coded);
  }
  models::Sha256 hash;
  hash.update(bytes.data(), bytes.size());
  return hash.hex_digest();
}

double cosine(const float* a, const std::vector<double>& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t j = 0; j < b.size(); ++j) dot += a[j] * b[j], na += double(a[j]) * a[j], nb += b[j] * b[j];
  return dot / std::sqrt(na * nb);
}

TEST(OnnxGolden, OnnxruntimeOnTheExportedFileEqualsIdmlsEmbeddings) {
  const std::string checkpoint = private_path("golden_resnet18.safetensors");
  save_checkpoint(*deterministic_net("resnet18", kEmbedding), checkpoint, {{"image_size", kImage}, {"resize_size", 73}});
  const char* keep = std::getenv("IDML_ONNX_GOLDEN_OUT");
  const std::string dir = keep ? std::string(keep) : PrivateDirectory::root().string();
  const std::string model_path = dir + "/model.onnx";
  onnx_export::export_onnx(checkpoint, model_path, {});
  const Tensor input = golden_input({kBatch, 3, kImage, kImage});
  const std::string sha = graph_sha256(onnx_export::read_onnx_model(model_path));
  if (keep) {
    const std::vector<float> x = input.to_vector<float>();
    npy::write_npy(dir + "/input.npy", x.data(), {kBatch, 3, kImage, kImage});
    io::write_file_atomically(dir + "/graph_sha256.txt", sha + "\n");
  }

  std::ifstream golden_file(std::string(IDML_EXPORT_GOLDEN_DIR) + "/onnx_resnet18.json");
  ASSERT_TRUE(golden_file.good()) << "missing " << IDML_EXPORT_GOLDEN_DIR << "/onnx_resnet18.json";
  const nlohmann::json golden = nlohmann::json::parse(golden_file);
  ASSERT_EQ(sha, golden.at("graph_sha256").get<std::string>())
      << "the exported graph is not the one onnxruntime ran: the exporter changed; rerun "
         "scripts/dev/make_onnx_golden.py";
  ASSERT_EQ(golden.at("input_shape"), (std::vector<int64_t>{kBatch, 3, kImage, kImage}));

  // idml's own embeddings: the checkpoint as `idml embed` loads it, in eval mode.
  auto net = models::load_trained_net(checkpoint, Device::cpu());
  net->eval();
  NoGradGuard no_grad;
  const models::IDMLNet::Output ours = net->forward(input);
  for (const auto& [name, tensor] : {std::make_pair("semantic", ours.semantic), std::make_pair("uncertainty", ours.uncertainty)}) {
    const std::vector<float> v = tensor.to_vector<float>();
    const auto rows = golden.at(name).get<std::vector<std::vector<double>>>();
    ASSERT_EQ(rows.size(), static_cast<size_t>(kBatch)) << name;
    for (size_t i = 0; i < rows.size(); ++i) {
      ASSERT_EQ(rows[i].size(), static_cast<size_t>(kEmbedding)) << name;
      const double c = cosine(v.data() + i * kEmbedding, rows[i]);
      EXPECT_GE(c, 0.99999) << name << " image " << i;
      double max_error = 0;
      for (size_t j = 0; j < rows[i].size(); ++j) max_error = std::max(max_error, std::abs(v[i * kEmbedding + j] - rows[i][j]));
      EXPECT_LT(max_error, 1e-4) << name << " image " << i << " (unit vectors)";
      std::printf("%s, image %zu: 1 - cosine %.2g, max |idml - onnxruntime| %.3g\n", name, i, 1.0 - c, max_error);
    }
  }
}

}  // namespace
}  // namespace idml::testing
