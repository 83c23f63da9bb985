// bf16 inference (engine/precision.h, `--precision bf16`) against float32 on
// the same weights and images: the IDML net's semantic and uncertainty
// embeddings keep a cosine of at least 0.999 per image (ResNet-18 and -50,
// BN in inference mode, so its fold and the fused epilogues run in bf16 too);
// a convolution that autograd would record inside the scope is an error; and
// the scope ends with float32 again. Skips where oneDNN has no bf16 path.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/autograd.h"
#include "engine/error.h"
#include "engine/ops.h"
#include "engine/precision.h"
#include "models/idml_net.h"

namespace idml::testing {
namespace {

// Smallest per-row cosine between two (N, D) row-major matrices.
double smallest_row_cosine(const std::vector<float>& a, const std::vector<float>& b, int64_t d) {
  double smallest = 1.0;
  for (size_t row = 0; row * d < a.size(); ++row) {
    double dot = 0, na = 0, nb = 0;
    for (int64_t j = 0; j < d; ++j) {
      const double x = a[row * d + j], y = b[row * d + j];
      dot += x * y, na += x * x, nb += y * y;
    }
    smallest = std::min(smallest, dot / std::sqrt(na * nb));
  }
  return smallest;
}

TEST(Bf16Inference, EmbeddingsKeepACosineOfAtLeast0999) {
  std::string why_not;
  if (!bf16_inference_supported(&why_not)) GTEST_SKIP() << "no bf16 convolutions on this CPU: " << why_not;
  for (const std::string backbone : {"resnet18", "resnet50"}) {
    models::IDMLNetConfig config;
    config.backbone = backbone;
    config.embedding_size = 512;
    config.l2_norm = false;  // compare the raw embeddings
    Generator gen(3);
    models::IDMLNet net(config, gen);
    net.eval();
    const Tensor images = randn({4, 3, 128, 128}, gen);
    NoGradGuard no_grad;
    const models::IDMLNet::Output fp32 = net.forward(images);
    models::IDMLNet::Output bf16;
    {
      const ReducedPrecisionInference scope(InferencePrecision::BFloat16, Device::cpu());
      EXPECT_EQ(inference_precision(), InferencePrecision::BFloat16);
      bf16 = net.forward(images);
    }
    EXPECT_EQ(inference_precision(), InferencePrecision::Float32);
    const auto s32 = fp32.semantic.to_vector<float>(), s16 = bf16.semantic.to_vector<float>();
    const auto u32 = fp32.uncertainty.to_vector<float>(), u16 = bf16.uncertainty.to_vector<float>();
    EXPECT_NE(s32, s16) << backbone << ": bf16 gave float32's exact values, so it did not run";
    const double semantic = smallest_row_cosine(s32, s16, 512), uncertainty = smallest_row_cosine(u32, u16, 512);
    std::printf("%s: smallest cosine to float32, semantic %.6f, uncertainty %.6f\n", backbone.c_str(), semantic,
                uncertainty);
    EXPECT_GE(semantic, 0.999) << backbone << " semantic";
    EXPECT_GE(uncertainty, 0.999) << backbone << " uncertainty";
    const models::IDMLNet::Output again = net.forward(images);
    EXPECT_EQ(again.semantic.to_vector<float>(), s32) << backbone << ": float32 after the scope";
  }
}

TEST(Bf16Inference, ARecordedConvolutionIsAnError) {
  std::string why_not;
  if (!bf16_inference_supported(&why_not)) GTEST_SKIP() << "no bf16 convolutions on this CPU: " << why_not;
  Generator gen(1);
  const Tensor x = randn({1, 3, 8, 8}, gen);
  const Tensor w = randn({4, 3, 3, 3}, gen).set_requires_grad(true);
  const ReducedPrecisionInference scope(InferencePrecision::BFloat16, Device::cpu());
  try {
    conv2d(x, w, {}, {1, 1});
    FAIL() << "a differentiated bf16 convolution was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("for inference only"), std::string::npos) << e.what();
  }
  NoGradGuard no_grad;
  EXPECT_EQ(conv2d(x, w, {}, {1, 1}).shape(), (Shape{1, 4, 8, 8}));
}

TEST(Bf16Inference, IsRefusedOnAGpuNamingTheFlag) {
  try {
    const ReducedPrecisionInference scope(InferencePrecision::BFloat16, Device::cuda(0));
    FAIL() << "bf16 on a GPU was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--precision bf16 runs on the CPU"), std::string::npos) << e.what();
  }
  EXPECT_EQ(inference_precision(), InferencePrecision::Float32);
}

}  // namespace
}  // namespace idml::testing
