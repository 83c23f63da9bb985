// RMSprop, as torch.optim.RMSprop (not centered):
//   g = g + wd p
//   s = alpha s + (1 - alpha) g^2,  a = sqrt(s) + eps
//   momentum > 0: b = momentum b + g / a,  p = p - lr b
//   otherwise:    p = p - lr g / a
#pragma once

#include "nn/optimizer.h"

namespace idml::nn {

struct RMSpropOptions {
  double alpha = 0.99;
  double eps = 1e-8;
  double momentum = 0.0;
};

class RMSprop : public Optimizer {
 public:
  RMSprop(std::vector<ParamGroup> groups, RMSpropOptions options = {});
  const char* name() const override { return "RMSprop"; }

 protected:
  void update(const ParamGroup& group, const Tensor& param, const Tensor& grad, ParameterState& state) override;
  std::vector<std::string> state_names() const override;

 private:
  RMSpropOptions options_;
};

}  // namespace idml::nn
