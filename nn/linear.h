// Linear, as torch.nn.Linear: y = x W^T + b with `weight` (out, in) and
// optional `bias` (out), PyTorch's default init.
#pragma once

#include "nn/init.h"
#include "nn/layer.h"

namespace idml::nn {

// Whether a layer has a learned bias (PyTorch's bias=True / False).
enum class Bias { learned, none };

class Linear : public Layer {
 public:
  Linear(int64_t in_features, int64_t out_features, ParameterInit init, Bias bias = Bias::learned);
  // x (N, in) -> (N, out)
  Tensor forward(const Tensor& x) override;
  int64_t in_features() const { return weight.size(1); }
  int64_t out_features() const { return weight.size(0); }

  Tensor weight;
  Tensor bias;  // undefined without bias
};

}  // namespace idml::nn
