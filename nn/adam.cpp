// Adam / AdamW update (single-tensor path of PyTorch 1.13).
#include "nn/adam.h"

#include <cmath>

#include "engine/ops.h"

namespace idml::nn {

Adam::Adam(std::vector<ParamGroup> groups, AdamOptions options, bool decoupled_weight_decay)
    : Optimizer(std::move(groups)), options_(options), decoupled_(decoupled_weight_decay) {
  IDML_CHECK(options.beta1 >= 0.0 && options.beta1 < 1.0 && options.beta2 >= 0.0 && options.beta2 < 1.0,
             name(), ": betas must be in [0, 1), got ", options.beta1, ", ", options.beta2);
  IDML_CHECK(options.eps >= 0.0, name(), ": eps must be >= 0, got ", options.eps);
}

void Adam::update(const ParamGroup& group, const Tensor& param, const Tensor& grad, ParameterState& state) {
  Tensor g = grad;
  if (group.weight_decay != 0.0) {
    if (decoupled_) param.copy_(mul_scalar(param, 1.0 - group.lr * group.weight_decay));
    else g = add(g, mul_scalar(param, group.weight_decay));
  }
  if (state.tensors.empty()) {
    state.tensors["exp_avg"] = zeros_like(param);
    state.tensors["exp_avg_sq"] = zeros_like(param);
  }
  Tensor& m = state.tensors.at("exp_avg");
  Tensor& v = state.tensors.at("exp_avg_sq");
  m = add(mul_scalar(m, options_.beta1), mul_scalar(g, 1.0 - options_.beta1));
  v = add(mul_scalar(v, options_.beta2), mul_scalar(mul(g, g), 1.0 - options_.beta2));
  const double t = static_cast<double>(state.step);
  const double bias_correction1 = 1.0 - std::pow(options_.beta1, t);
  const double bias_correction2 = 1.0 - std::pow(options_.beta2, t);
  const double step_size = group.lr / bias_correction1;
  const Tensor denom = add_scalar(div_scalar(sqrt(v), std::sqrt(bias_correction2)), options_.eps);
  param.copy_(sub(param, mul_scalar(div(m, denom), step_size)));
}

}  // namespace idml::nn
