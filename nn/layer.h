// Layer: a Module with one input tensor and one output tensor (Conv2d,
// BatchNorm2d, ReLU, a ResNet block...). Sequential chains Layers.
#pragma once

#include "nn/module.h"

namespace idml::nn {

class Layer : public Module {
 public:
  virtual Tensor forward(const Tensor& x) = 0;
  Tensor operator()(const Tensor& x) { return forward(x); }
};

}  // namespace idml::nn
