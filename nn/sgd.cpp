// SGD update (torch.optim.SGD, single-tensor path of PyTorch 1.13).
#include "nn/sgd.h"

#include "engine/ops.h"

namespace idml::nn {

SGD::SGD(std::vector<ParamGroup> groups, SGDOptions options) : Optimizer(std::move(groups)), options_(options) {
  IDML_CHECK(options.momentum >= 0.0, "SGD: momentum must be >= 0, got ", options.momentum);
  IDML_CHECK(!options.nesterov || (options.momentum > 0.0 && options.dampening == 0.0),
             "SGD: Nesterov momentum needs momentum > 0 and dampening 0");
}

std::vector<std::string> SGD::state_names() const {
  if (options_.momentum == 0.0) return {};
  return {"momentum_buffer"};
}

void SGD::update(const ParamGroup& group, const Tensor& param, const Tensor& grad, ParameterState& state) {
  Tensor d = grad;
  if (group.weight_decay != 0.0) d = add(d, mul_scalar(param, group.weight_decay));
  if (options_.momentum != 0.0) {
    auto found = state.tensors.find("momentum_buffer");
    Tensor buffer = found == state.tensors.end()
                        ? d.clone()
                        : add(mul_scalar(found->second, options_.momentum), mul_scalar(d, 1.0 - options_.dampening));
    state.tensors["momentum_buffer"] = buffer;
    d = options_.nesterov ? add(d, mul_scalar(buffer, options_.momentum)) : buffer;
  }
  param.copy_(sub(param, mul_scalar(d, group.lr)));
}

}  // namespace idml::nn
