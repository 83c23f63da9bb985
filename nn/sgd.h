// SGD with momentum, dampening, Nesterov and L2 weight decay, as torch.optim.SGD:
//   d = g + wd p
//   b = d (first step), else b = momentum b + (1 - dampening) d
//   d = nesterov ? d + momentum b : b
//   p = p - lr d
#pragma once

#include "nn/optimizer.h"

namespace idml::nn {

struct SGDOptions {
  double momentum = 0.0;
  double dampening = 0.0;
  bool nesterov = false;
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<ParamGroup> groups, SGDOptions options);
  const char* name() const override { return "SGD"; }

 protected:
  void update(const ParamGroup& group, const Tensor& param, const Tensor& grad, ParameterState& state) override;
  std::vector<std::string> state_names() const override;

 private:
  SGDOptions options_;
};

}  // namespace idml::nn
