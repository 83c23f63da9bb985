// Module: the unit networks are built from, as torch.nn.Module. A module owns
// named parameters (trainable leaves), named buffers (running statistics,
// counters) and named child modules, each registered once, in order. Names
// compose with '.' (`layer1.0.conv1.weight`) and equal torchvision's, so
// ImageNet files load with no rename table.
//
// Not here: a generic forward. Layers with one input and one output derive
// from Layer (nn/layer.h); a network with another signature (the IDML net
// returns two tensors) defines its own forward.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/tensor.h"
#include "nn/weights/state_dict.h"

namespace idml::nn {

using StateDict = weights::StateDict;
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

class Module {
 public:
  virtual ~Module() = default;
  Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // Recursive, in registration order, children after own entries (as torch).
  NamedTensors named_parameters() const;
  NamedTensors named_buffers() const;
  std::vector<Tensor> parameters() const;
  // Parameters then buffers, module by module, as torch's state_dict() orders them.
  NamedTensors named_state() const;
  StateDict state_dict() const;
  std::vector<std::string> state_dict_names() const;
  // Every module below this one (this one first), with its dotted name ("" for this).
  std::vector<std::pair<std::string, Module*>> named_modules();

  // Training mode: batch statistics in BatchNorm. Recursive.
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // requires_grad on every parameter of this module and its children.
  void set_requires_grad(bool value);
  // Moves every parameter and buffer to `device` in place: the Tensor handles
  // stay the same, so an optimizer built before the move keeps working.
  // Gradients are dropped.
  void to(Device device);

  // KeyMatch::strict: the names, shapes and dtypes of `dict` must equal
  // state_dict()'s. Missing keys, unexpected keys and shape mismatches are all
  // listed by name in the error, and nothing is copied unless everything
  // matches. KeyMatch::shared: copies the keys both sides have (shapes must
  // still match), ignores the rest. `ignored_prefixes` are skipped on both sides.
  enum class KeyMatch { strict, shared };
  void load_state_dict(const StateDict& dict, KeyMatch keys = KeyMatch::strict,
                       const std::vector<std::string>& ignored_prefixes = {});

  // Called by train(); BatchNorm overrides it to stay frozen.
  virtual void on_train_mode(bool on) {}
  // Called before this module's buffers are handed out (named_buffers,
  // named_state, state_dict, to, load_state_dict): a module that keeps state on
  // the host between saves (BatchNorm's batch counter) writes it to its buffers here.
  virtual void write_host_state() const {}

 protected:
  // Registration returns its argument so constructors can write
  // `weight = register_parameter("weight", empty(...));`.
  // A parameter requires grad (set_requires_grad changes that later).
  Tensor register_parameter(const std::string& name, Tensor value);
  Tensor register_buffer(const std::string& name, Tensor value);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> child) {
    add_child(name, child);
    return child;
  }

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> child);
  void check_new_name(const std::string& name) const;
  enum class Entries { parameters, buffers, both };
  void collect(const std::string& prefix, Entries entries, NamedTensors& out) const;

  NamedTensors parameters_;
  NamedTensors buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

}  // namespace idml::nn
