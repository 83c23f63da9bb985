// Optimizer base: groups, skipping parameters without gradient, state export/import.
#include "nn/optimizer.h"

#include <algorithm>
#include <set>

#include "engine/autograd.h"

namespace idml::nn {

Optimizer::Optimizer(std::vector<ParamGroup> groups) : groups_(std::move(groups)) {
  IDML_CHECK(!groups_.empty(), "Optimizer: no parameter groups");
  std::set<const TensorImpl*> seen;
  for (ParamGroup& group : groups_) {
    IDML_CHECK(group.lr >= 0.0 && group.weight_decay >= 0.0, "Optimizer: group '", group.name,
               "' has a negative lr (", group.lr, ") or weight decay (", group.weight_decay, ")");
    if (group.initial_lr < 0.0) group.initial_lr = group.lr;
    for (const Tensor& p : group.params) {
      IDML_CHECK(p.defined() && p.is_leaf() && is_floating(p.dtype()), "Optimizer: group '", group.name,
                 "' holds a tensor that is not a floating-point leaf");
      IDML_CHECK(seen.insert(&p.impl()).second, "Optimizer: a parameter appears twice (group '", group.name, "')");
      states_.emplace_back();
    }
  }
}

void Optimizer::step() {
  NoGradGuard no_grad;
  size_t index = 0;
  for (const ParamGroup& group : groups_)
    for (const Tensor& p : group.params) {
      std::optional<ParameterState>& state = states_[index++];
      const Tensor grad = p.grad();
      if (!grad.defined()) continue;
      if (!state) state.emplace();
      ++state->step;
      update(group, p, grad, *state);
    }
}

void Optimizer::zero_grad() {
  for (const ParamGroup& group : groups_)
    for (const Tensor& p : group.params) p.zero_grad();
}

const ParameterState* Optimizer::state(size_t index) const {
  IDML_CHECK(index < states_.size(), name(), ": parameter index ", index, " out of range (", states_.size(), ")");
  return states_[index] ? &*states_[index] : nullptr;
}

void Optimizer::set_state(size_t index, ParameterState state) {
  IDML_CHECK(index < states_.size(), name(), ": parameter index ", index, " out of range (", states_.size(), ")");
  states_[index] = std::move(state);
}

weights::StateDict Optimizer::state_dict() const {
  weights::StateDict out;
  for (size_t i = 0; i < states_.size(); ++i) {
    if (!states_[i]) continue;
    const std::string prefix = "state." + std::to_string(i) + ".";
    out[prefix + "step"] = scalar_tensor(static_cast<double>(states_[i]->step), DType::Int64);
    // Host copies: a checkpoint writer can take them as they are.
    for (const auto& [key, t] : states_[i]->tensors)
      out[prefix + key] = t.device().is_cpu() ? t.detach().clone() : t.detach().to(Device::cpu());
  }
  for (size_t g = 0; g < groups_.size(); ++g) {
    const std::string prefix = "param_groups." + std::to_string(g) + ".";
    out[prefix + "lr"] = scalar_tensor(groups_[g].lr, DType::Float64);
    out[prefix + "initial_lr"] = scalar_tensor(groups_[g].initial_lr, DType::Float64);
  }
  return out;
}

void Optimizer::load_state_dict(const weights::StateDict& dict) {
  std::vector<Tensor> params;
  for (const ParamGroup& group : groups_) params.insert(params.end(), group.params.begin(), group.params.end());
  const std::vector<std::string> names = state_names();
  std::vector<std::optional<ParameterState>> states(states_.size());
  std::vector<double> lrs(groups_.size(), -1.0), initial_lrs(groups_.size(), -1.0);
  auto bad = [&](const std::string& key, const std::string& why) {
    return Error(std::string(name()) + ": optimizer state entry '" + key + "' " + why);
  };
  for (const auto& [key, value] : dict) {
    const size_t dot1 = key.find('.'), dot2 = key.find('.', dot1 + 1);
    if (dot1 == std::string::npos || dot2 == std::string::npos) throw bad(key, "has no index");
    const std::string kind = key.substr(0, dot1), field = key.substr(dot2 + 1);
    size_t index = 0;
    try {
      index = std::stoul(key.substr(dot1 + 1, dot2 - dot1 - 1));
    } catch (const std::exception&) {
      throw bad(key, "has no index");
    }
    if (kind == "param_groups") {
      if (index >= groups_.size()) throw bad(key, "names a group that does not exist");
      if (value.numel() != 1) throw bad(key, "must hold one value");
      if (field == "lr") lrs[index] = value.item();
      else if (field == "initial_lr") initial_lrs[index] = value.item();
      else throw bad(key, "is unknown");
    } else if (kind == "state") {
      if (index >= params.size()) throw bad(key, "names a parameter that does not exist");
      if (!states[index]) states[index].emplace();
      if (field == "step") {
        if (value.numel() != 1) throw bad(key, "must hold one value");
        states[index]->step = static_cast<int64_t>(value.item());
      } else if (std::find(names.begin(), names.end(), field) != names.end()) {
        if (value.shape() != params[index].shape() || value.dtype() != params[index].dtype())
          throw bad(key, "is " + value.str() + " but the parameter is " + params[index].str());
        states[index]->tensors[field] = value;
      } else {
        throw bad(key, "is unknown to this optimizer");
      }
    } else {
      throw bad(key, "is unknown");
    }
  }
  for (size_t g = 0; g < groups_.size(); ++g)
    IDML_CHECK(lrs[g] >= 0.0 && initial_lrs[g] >= 0.0, name(), ": optimizer state lacks param_groups.", g,
               ".lr or .initial_lr");
  for (size_t i = 0; i < states.size(); ++i)
    if (states[i])
      for (const std::string& field : names)
        IDML_CHECK(states[i]->tensors.count(field) == 1, name(), ": optimizer state of parameter ", i, " lacks '",
                   field, "'");
  // Everything is valid: copy onto the parameters' devices.
  for (size_t i = 0; i < states.size(); ++i) {
    if (states[i])
      for (auto& entry : states[i]->tensors) entry.second = entry.second.detach().to(params[i].device()).clone();
    states_[i] = std::move(states[i]);
  }
  for (size_t g = 0; g < groups_.size(); ++g) {
    groups_[g].lr = lrs[g];
    groups_[g].initial_lr = initial_lrs[g];
  }
}

}  // namespace idml::nn
