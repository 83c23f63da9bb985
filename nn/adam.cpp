// Adam / AdamW update (single-tensor path of PyTorch 1.13).
#include "nn/adam.h"

#include <cmath>

#include "engine/ops.h"

namespace idml::nn {

Adam::Adam(std::vector<ParamGroup> groups, AdamOptions options, WeightDecay decay)
    : Optimizer(std::move(groups)), options_(options), decoupled_(decay == WeightDecay::decoupled) {
  IDML_CHECK(options.beta1 >= 0.0 && options.beta1 < 1.0 && options.beta2 >= 0.0 && options.beta2 < 1.0,
             name(), ": betas must be in [0, 1), got ", options.beta1, ", ", options.beta2);
  IDML_CHECK(options.eps >= 0.0, name(), ": eps must be >= 0, got ", options.eps);
}

void Adam::update(const ParamGroup& group, const Tensor& param, const Tensor& grad, ParameterState& state) {
  if (state.tensors.empty()) {
    state.tensors["exp_avg"] = zeros_like(param);
    state.tensors["exp_avg_sq"] = zeros_like(param);
  }
  const double t = static_cast<double>(state.step);
  const AdamStep step{group.lr,
                      options_.beta1,
                      options_.beta2,
                      options_.eps,
                      group.weight_decay,
                      1.0 - std::pow(options_.beta1, t),
                      1.0 - std::pow(options_.beta2, t),
                      decoupled_};
  // One fused pass (engine/backend.h has the formula).
  adam_step_(param, grad, state.tensors.at("exp_avg"), state.tensors.at("exp_avg_sq"), step);
}

}  // namespace idml::nn
