// export/folded_network.h: a folded convolution computes BN(conv(x)) with the
// running statistics, and the folded ResNets have the blocks, convolutions
// and parameters they should.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/autograd.h"
#include "engine/ops.h"
#include "export/folded_network.h"
#include "models/resnet_blocks.h"
#include "tests/export/export_fixtures.h"

namespace idml::testing {
namespace {

using onnx_export::FoldedConv;

Tensor apply_folded(const FoldedConv& f, const Tensor& x) {
  const Tensor w = from_vector(f.weight, {f.out_channels, f.in_channels, f.kernel, f.kernel});
  return conv2d(x, w, from_vector(f.bias, {f.out_channels}), Conv2dOptions{f.stride, f.padding, 1});
}

// max |a - b| / max |b|; a convolution's output may be held in oneDNN's layout, so both are read plain.
double relative_error(const Tensor& a, const Tensor& b) {
  const std::vector<float> va = to_plain(a).to_vector<float>(), vb = to_plain(b).to_vector<float>();
  double error = 0, scale = 0;
  for (size_t i = 0; i < va.size(); ++i) {
    error = std::max(error, std::abs(double(va[i]) - vb[i]));
    scale = std::max(scale, std::abs(double(vb[i])));
  }
  return error / scale;
}

TEST(FoldedNetwork, AFoldedConvolutionEqualsBatchNormOfTheConvolution) {
  auto net = deterministic_net("resnet18", 16);
  NoGradGuard no_grad;
  const Tensor x = golden_input({2, 3, 40, 40});
  models::IDMLResNet& r = *net->model;
  // The stem (7x7, stride 2, padding 3) and a downsample (1x1, stride 2): the unfused
  // eval-mode BatchNorm, one layer after the other, is the reference.
  const FoldedConv stem = onnx_export::fold_conv_batch_norm("conv1", *r.conv1, "bn1", *r.bn1);
  EXPECT_LT(relative_error(apply_folded(stem, x), r.bn1->forward(r.conv1->forward(x))), 1e-5);

  const auto& block = dynamic_cast<const models::BasicBlock&>(*(*r.layer2)[0]);
  auto& conv = dynamic_cast<nn::Conv2d&>(*(*block.downsample)[0]);
  auto& bn = dynamic_cast<nn::BatchNorm2d&>(*(*block.downsample)[1]);
  const Tensor y = golden_input({2, 64, 10, 10}, 1001);
  const FoldedConv down = onnx_export::fold_conv_batch_norm("d", conv, "b", bn);
  EXPECT_EQ(down.stride, 2);
  EXPECT_EQ(down.kernel, 1);
  EXPECT_LT(relative_error(apply_folded(down, y), bn.forward(conv.forward(y))), 1e-5);
}

TEST(FoldedNetwork, ResNetsHaveTheirBlocksAndEveryBatchNormFolded) {
  struct Expected {
    std::string backbone;
    size_t blocks, downsamples;
    int64_t convolutions;
  };
  for (const Expected& e : {Expected{"resnet18", 8, 3, 20}, Expected{"resnet50", 16, 4, 53}}) {
    models::IDMLNetConfig config;
    config.backbone = e.backbone;
    config.embedding_size = 64;
    Generator gen(0);
    models::IDMLNet net(config, gen);
    const onnx_export::FoldedNetwork f = onnx_export::fold_network(net);
    EXPECT_EQ(f.backbone, e.backbone);
    ASSERT_EQ(f.blocks.size(), e.blocks);
    size_t downsamples = 0;
    for (const auto& b : f.blocks) downsamples += b.downsample ? 1 : 0;
    EXPECT_EQ(downsamples, e.downsamples);
    EXPECT_EQ(f.convolution_count(), e.convolutions);
    EXPECT_EQ(f.blocks.front().name, "layer1.0");
    EXPECT_EQ(f.blocks.back().convs.back().folded_batch_norm, f.blocks.back().name + (e.backbone == "resnet18" ? ".bn2" : ".bn3"));
    // Folded parameters: every conv weight, one bias per BN channel, the two heads;
    // fc and the BN scale/statistics are gone.
    int64_t expected = 0;
    for (const auto& [name, t] : net.named_parameters()) {
      const bool conv_weight = t.dim() == 4;
      const bool head = name.rfind("model.embedding.", 0) == 0 || name.rfind("model.uncertainty.", 0) == 0;
      const bool bn_bias = t.dim() == 1 && name.find("bn") != std::string::npos && name.find(".bias") != std::string::npos;
      const bool downsample_bn_bias = name.find("downsample.1.bias") != std::string::npos;
      if (conv_weight || head || bn_bias || downsample_bn_bias) expected += t.numel();
    }
    EXPECT_EQ(f.parameter_count(), expected) << e.backbone;
    EXPECT_EQ(f.embedding.out_features, 64);
    EXPECT_EQ(f.uncertainty.in_features, e.backbone == "resnet18" ? 512 : 2048);
  }
}

}  // namespace
}  // namespace idml::testing
