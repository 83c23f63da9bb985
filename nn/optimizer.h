// Optimizer: the part every optimiser shares, as torch.optim.Optimizer.
// Parameter groups with their own lr and weight decay; a parameter whose grad
// is undefined at step() is skipped entirely (no state is created, no decay is
// applied, its step count does not move); per-parameter state (step count and
// named tensors such as `exp_avg`) that can be exported and imported for an
// exact resume.
//
// Updates are engine ops under a NoGradGuard, written back with Tensor::copy_,
// so they run on whatever device the parameters live on.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/tensor.h"
#include "nn/weights/state_dict.h"

namespace idml::nn {

struct ParamGroup {
  std::string name;  // for messages and logs: "backbone", "embedding", "proxies"
  std::vector<Tensor> params;
  double lr = 0.0;
  double weight_decay = 0.0;
  double initial_lr = -1.0;  // set to lr by the optimizer when negative; StepLR scales it
};

struct ParameterState {
  int64_t step = 0;                       // updates applied so far
  std::map<std::string, Tensor> tensors;  // e.g. "exp_avg", "exp_avg_sq", "momentum_buffer"
};

class Optimizer {
 public:
  explicit Optimizer(std::vector<ParamGroup> groups);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient.
  void step();
  // Drops every gradient (torch's set_to_none=True).
  void zero_grad();

  std::vector<ParamGroup>& param_groups() { return groups_; }
  const std::vector<ParamGroup>& param_groups() const { return groups_; }

  // Parameters are numbered across groups in order (torch's state_dict numbering).
  size_t num_parameters() const { return states_.size(); }
  // nullptr for a parameter that has never been updated.
  const ParameterState* state(size_t index) const;
  void set_state(size_t index, ParameterState state);

  // Flat export for checkpoints, host (CPU) copies: "state.<i>.step" (int64 scalar),
  // "state.<i>.<tensor name>" (parameter-shaped), "param_groups.<g>.lr" and
  // "param_groups.<g>.initial_lr" (float64 scalars).
  weights::StateDict state_dict() const;
  // Validates every entry (index, tensor names, shapes) before changing anything;
  // tensors are copied onto each parameter's device.
  void load_state_dict(const weights::StateDict& dict);

  virtual const char* name() const = 0;

 protected:
  // Applies one update to `param` given its `grad`; `state.step` has already
  // been incremented. Runs under NoGradGuard.
  virtual void update(const ParamGroup& group, const Tensor& param, const Tensor& grad, ParameterState& state) = 0;
  // The state tensors this optimiser keeps (for validating imports).
  virtual std::vector<std::string> state_names() const = 0;

 private:
  std::vector<ParamGroup> groups_;
  std::vector<std::optional<ParameterState>> states_;
};

}  // namespace idml::nn
