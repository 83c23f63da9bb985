// Parameter-free layers: ReLU, MaxPool2d, global (1x1 adaptive) average and
// max pooling, and the IDML pooling f = GAP(x) + GMP(x) (SPEC §2).
#pragma once

#include "engine/ops.h"
#include "nn/layer.h"

namespace idml::nn {

class ReLU : public Layer {
 public:
  Tensor forward(const Tensor& x) override { return relu(x); }
};

class MaxPool2d : public Layer {
 public:
  MaxPool2d(int64_t kernel_size, int64_t stride, int64_t padding = 0) : options_{kernel_size, stride, padding} {}
  Tensor forward(const Tensor& x) override { return max_pool2d(x, options_); }

 private:
  Pool2dOptions options_;
};

// nn.AdaptiveAvgPool2d((1, 1)): (N, C, H, W) -> (N, C, 1, 1).
class AdaptiveAvgPool2d : public Layer {
 public:
  Tensor forward(const Tensor& x) override { return adaptive_avg_pool2d_1x1(x); }
};

// nn.AdaptiveMaxPool2d((1, 1)): (N, C, H, W) -> (N, C, 1, 1).
class AdaptiveMaxPool2d : public Layer {
 public:
  Tensor forward(const Tensor& x) override { return adaptive_max_pool2d_1x1(x); }
};

// (N, C, H, W) -> (N, C): mean over H, W plus max over H, W.
Tensor global_avg_plus_max_pool(const Tensor& x);

}  // namespace idml::nn
