// Module registration, recursive traversal, modes and device moves.
// Loading a state dict lives in nn/module_loading.cpp.
#include "nn/module.h"

#include "engine/autograd.h"

namespace idml::nn {

void Module::check_new_name(const std::string& name) const {
  IDML_CHECK(!name.empty() && name.find('.') == std::string::npos,
             "Module: invalid name '", name, "' (non-empty, no '.')");
  auto taken = [&](const auto& list) {
    for (const auto& entry : list)
      if (entry.first == name) return true;
    return false;
  };
  IDML_CHECK(!taken(parameters_) && !taken(buffers_) && !taken(children_), "Module: name '", name,
             "' is already registered");
}

Tensor Module::register_parameter(const std::string& name, Tensor value) {
  check_new_name(name);
  IDML_CHECK(value.defined() && value.is_leaf(), "Module: parameter '", name, "' must be a defined leaf tensor");
  value.set_requires_grad(true);
  parameters_.emplace_back(name, value);
  return value;
}

Tensor Module::register_buffer(const std::string& name, Tensor value) {
  check_new_name(name);
  IDML_CHECK(value.defined(), "Module: buffer '", name, "' is undefined");
  buffers_.emplace_back(name, value);
  return value;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> child) {
  check_new_name(name);
  IDML_CHECK(child != nullptr, "Module: child '", name, "' is null");
  children_.emplace_back(name, std::move(child));
}

void Module::collect(const std::string& prefix, Entries entries, NamedTensors& out) const {
  if (entries != Entries::parameters) write_host_state();
  if (entries != Entries::buffers)
    for (const auto& [name, t] : parameters_) out.emplace_back(prefix + name, t);
  if (entries != Entries::parameters)
    for (const auto& [name, t] : buffers_) out.emplace_back(prefix + name, t);
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", entries, out);
}

NamedTensors Module::named_parameters() const {
  NamedTensors out;
  collect("", Entries::parameters, out);
  return out;
}

NamedTensors Module::named_buffers() const {
  NamedTensors out;
  collect("", Entries::buffers, out);
  return out;
}

NamedTensors Module::named_state() const {
  NamedTensors out;
  collect("", Entries::both, out);
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (const auto& entry : named_parameters()) out.push_back(entry.second);
  return out;
}

StateDict Module::state_dict() const {
  StateDict out;
  for (const auto& [name, t] : named_state()) out.emplace(name, t);
  return out;
}

std::vector<std::string> Module::state_dict_names() const {
  std::vector<std::string> out;
  for (const auto& entry : named_state()) out.push_back(entry.first);
  return out;
}

std::vector<std::pair<std::string, Module*>> Module::named_modules() {
  std::vector<std::pair<std::string, Module*>> out{{"", this}};
  for (const auto& [name, child] : children_)
    for (const auto& [sub, module] : child->named_modules())
      out.emplace_back(sub.empty() ? name : name + "." + sub, module);
  return out;
}

void Module::train(bool on) {
  training_ = on;
  on_train_mode(on);
  for (const auto& entry : children_) entry.second->train(on);
}

void Module::set_requires_grad(bool value) {
  for (auto& entry : named_parameters()) entry.second.set_requires_grad(value);
}

void Module::to(Device device) {
  NoGradGuard no_grad;
  for (auto& [name, t] : named_state()) {
    if (t.device() == device) continue;
    Tensor moved = t.detach().to(device);
    TensorImpl& impl = t.impl();
    impl.storage = moved.impl().storage;
    impl.offset = moved.impl().offset;
    impl.grad.reset();
  }
}

}  // namespace idml::nn
