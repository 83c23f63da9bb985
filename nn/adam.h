// Adam and AdamW, as torch.optim.Adam / AdamW (no amsgrad):
//   Adam:  g = g + wd p                  (L2 decay folded into the gradient)
//   AdamW: p = p (1 - lr wd)             (decoupled decay, before the update)
//   m = beta1 m + (1 - beta1) g,  v = beta2 v + (1 - beta2) g^2
//   p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
#pragma once

#include "nn/optimizer.h"

namespace idml::nn {

struct AdamOptions {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

// Adam's L2 decay folded into the gradient, or AdamW's decoupled decay.
enum class WeightDecay { l2, decoupled };

class Adam : public Optimizer {
 public:
  Adam(std::vector<ParamGroup> groups, AdamOptions options = {}, WeightDecay decay = WeightDecay::l2);
  const char* name() const override { return decoupled_ ? "AdamW" : "Adam"; }

 protected:
  void update(const ParamGroup& group, const Tensor& param, const Tensor& grad, ParameterState& state) override;
  std::vector<std::string> state_names() const override { return {"exp_avg", "exp_avg_sq"}; }

 private:
  AdamOptions options_;
  bool decoupled_;
};

class AdamW : public Adam {
 public:
  AdamW(std::vector<ParamGroup> groups, AdamOptions options = {})
      : Adam(std::move(groups), options, WeightDecay::decoupled) {}
};

}  // namespace idml::nn
