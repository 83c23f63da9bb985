// The IDML network of docs/METHOD.md#2-model as plain arrays, with every
// BatchNorm folded into the convolution before it: the model's eval-mode
// computation, and what the ONNX graph (export/onnx_graph.h) is built from.
//   BN(conv(x)) = a (W * x) + (beta - a mean),  a = gamma / sqrt(running_var + eps)
//   folded:  W' = a W (per output channel),  b' = beta - a mean
// The fold is the engine's (batch_norm_fold, scale_output_channels), computed
// in float64 and rounded once to float32.
// Not here: the graph itself, file writing, or any network but the IDML
// ResNet (the classification networks are refused by the caller).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/idml_net.h"

namespace idml::onnx_export {

// y = W' x + b', W' (out, in, kernel, kernel) row-major, b' (out).
struct FoldedConv {
  std::string name;  // the convolution's module path, e.g. "layer1.0.conv1"
  std::string folded_batch_norm;  // the BatchNorm folded into it, e.g. "layer1.0.bn1"
  int64_t out_channels = 0, in_channels = 0, kernel = 0, stride = 1, padding = 0;
  std::vector<float> weight;
  std::vector<float> bias;
};

// y = x W^T + b, W (out, in) row-major, b (out).
struct DenseLayer {
  std::string name;  // "embedding", "uncertainty"
  int64_t out_features = 0, in_features = 0;
  std::vector<float> weight;
  std::vector<float> bias;
};

// A residual block: relu(convs(x) + identity), a ReLU after every conv but the last;
// identity = downsample(x) when present, else x.
struct FoldedBlock {
  std::string name;               // "layer2.0"
  std::vector<FoldedConv> convs;  // conv1, conv2 (BasicBlock) or conv1, conv2, conv3 (Bottleneck)
  std::optional<FoldedConv> downsample;
};

struct FoldedNetwork {
  std::string backbone;            // "resnet18" .. "resnet101"
  FoldedConv stem;                 // conv1 + bn1, then ReLU and max pool 3x3, stride 2, padding 1
  std::vector<FoldedBlock> blocks;  // layer1.0, layer1.1, ..., layer4.*
  DenseLayer embedding, uncertainty;  // on f = GAP + GMP of the last block's output
  bool l2_norm = true;             // both outputs x / sqrt(sum x^2 + 1e-12)
  int64_t parameter_count() const;
  int64_t convolution_count() const;  // each with its BatchNorm folded in
};

// The network's weights with each BatchNorm folded (running statistics: the
// eval-mode computation, whatever mode the net is in).
FoldedNetwork fold_network(const models::IDMLNet& net);

// One conv + BN pair; exposed for the tests.
FoldedConv fold_conv_batch_norm(const std::string& name, const nn::Conv2d& conv, const std::string& bn_name,
                                const nn::BatchNorm2d& bn);

}  // namespace idml::onnx_export
