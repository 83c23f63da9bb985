// RMSprop update (single-tensor path of PyTorch 1.13).
#include "nn/rmsprop.h"

#include "engine/ops.h"

namespace idml::nn {

RMSprop::RMSprop(std::vector<ParamGroup> groups, RMSpropOptions options)
    : Optimizer(std::move(groups)), options_(options) {
  IDML_CHECK(options.alpha >= 0.0 && options.eps >= 0.0 && options.momentum >= 0.0,
             "RMSprop: alpha, eps and momentum must be >= 0, got ", options.alpha, ", ", options.eps, ", ",
             options.momentum);
}

std::vector<std::string> RMSprop::state_names() const {
  if (options_.momentum > 0.0) return {"square_avg", "momentum_buffer"};
  return {"square_avg"};
}

void RMSprop::update(const ParamGroup& group, const Tensor& param, const Tensor& grad, ParameterState& state) {
  Tensor g = grad;
  if (group.weight_decay != 0.0) g = add(g, mul_scalar(param, group.weight_decay));
  if (state.tensors.empty()) {
    state.tensors["square_avg"] = zeros_like(param);
    if (options_.momentum > 0.0) state.tensors["momentum_buffer"] = zeros_like(param);
  }
  Tensor& square_avg = state.tensors.at("square_avg");
  square_avg = add(mul_scalar(square_avg, options_.alpha), mul_scalar(mul(g, g), 1.0 - options_.alpha));
  const Tensor avg = add_scalar(sqrt(square_avg), options_.eps);
  if (options_.momentum > 0.0) {
    Tensor& buffer = state.tensors.at("momentum_buffer");
    buffer = add(mul_scalar(buffer, options_.momentum), div(g, avg));
    param.copy_(sub(param, mul_scalar(buffer, group.lr)));
  } else {
    param.copy_(sub(param, mul_scalar(div(g, avg), group.lr)));
  }
}

}  // namespace idml::nn
