// The gradient engine: topological order over Nodes, gradient accumulation,
// graph release.
#include "engine/autograd.h"

#include <unordered_map>
#include <unordered_set>

#include "engine/ops.h"

namespace idml {

namespace {
thread_local bool t_grad_enabled = true;
}

bool grad_enabled() { return t_grad_enabled; }

NoGradGuard::NoGradGuard() : previous_(t_grad_enabled) { t_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { t_grad_enabled = previous_; }

Node::Node(std::string name, std::vector<Tensor> inputs, BackwardFn backward)
    : name_(std::move(name)), inputs_(std::move(inputs)), backward_(std::move(backward)) {
  needs_grad_.reserve(inputs_.size());
  for (const Tensor& t : inputs_) needs_grad_.push_back(t.defined() && t.requires_grad());
}

std::vector<Tensor> Node::apply(const Tensor& grad_output) {
  IDML_CHECK(backward_, "backward through '", name_,
             "' a second time: the graph was freed by the first backward");
  std::vector<Tensor> grads = backward_(grad_output, needs_grad_);
  IDML_CHECK(grads.size() == inputs_.size(), "backward of '", name_, "' returned ", grads.size(),
             " gradients for ", inputs_.size(), " inputs");
  return grads;
}

void Node::release() {
  inputs_.clear();
  backward_ = nullptr;
}

bool should_record(const std::vector<Tensor>& inputs) {
  if (!t_grad_enabled) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

Tensor record(Tensor output, const char* name, std::vector<Tensor> inputs, BackwardFn backward) {
  if (!should_record(inputs)) return output;
  output.impl().requires_grad = true;
  output.impl().grad_fn = std::make_shared<Node>(name, std::move(inputs), std::move(backward));
  return output;
}

namespace {

// A leaf's .grad is plain (to_plain): optimisers, clipping and collectives
// read it as plain bytes, though a convolution's dW may arrive in its
// backend's layout.
void accumulate_leaf(const Tensor& leaf, const Tensor& grad) {
  const Tensor current = leaf.grad();
  if (current.defined()) {
    leaf.impl().grad = add(current, grad).impl_ptr();  // plain: current is
    return;
  }
  // A fresh tensor on first use: the incoming gradient may share storage with
  // other tensors (e.g. both inputs of an add receive the same gradient).
  leaf.impl().grad = (grad.is_plain() ? grad.clone() : to_plain(grad)).impl_ptr();
}

// Nodes reachable from root, ordered so that every node comes before the
// nodes of its inputs (reverse post-order of an iterative DFS).
// Owning pointers: releasing a node drops its inputs, which may hold the only
// other reference to a node visited later.
std::vector<std::shared_ptr<Node>> topological_order(const std::shared_ptr<Node>& root) {
  std::vector<std::shared_ptr<Node>> post_order;
  std::unordered_set<Node*> seen{root.get()};
  std::vector<std::pair<std::shared_ptr<Node>, size_t>> stack{{root, 0}};
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs().size()) {
      const Tensor& input = node->inputs()[next++];
      std::shared_ptr<Node> child = input.defined() ? input.grad_fn() : nullptr;
      if (child && seen.insert(child.get()).second) stack.push_back({std::move(child), 0});
    } else {
      post_order.push_back(node);
      stack.pop_back();
    }
  }
  return {post_order.rbegin(), post_order.rend()};
}

}  // namespace

void run_backward(const Tensor& root, const Tensor& grad_output) {
  IDML_CHECK(root.requires_grad(), "backward: ", root.str(), " does not require grad (no graph was recorded)");
  IDML_CHECK(grad_output.shape() == root.shape() && grad_output.dtype() == root.dtype() &&
                 grad_output.device() == root.device(),
             "backward: gradient ", grad_output.str(), " does not match output ", root.str());
  NoGradGuard no_grad;
  if (root.is_leaf()) {
    accumulate_leaf(root, grad_output);
    return;
  }
  const std::shared_ptr<Node>& root_node = root.grad_fn();
  std::unordered_map<Node*, Tensor> pending{{root_node.get(), grad_output}};
  for (const std::shared_ptr<Node>& node_ptr : topological_order(root_node)) {
    Node* node = node_ptr.get();
    auto it = pending.find(node);
    if (it == pending.end()) {  // no gradient reached this node
      node->release();
      continue;
    }
    Tensor grad = std::move(it->second);
    pending.erase(it);
    const std::vector<Tensor> inputs = node->inputs();
    std::vector<Tensor> grads = node->apply(grad);
    for (size_t i = 0; i < inputs.size(); ++i) {
      const Tensor& input = inputs[i];
      if (!input.defined() || !input.requires_grad() || !grads[i].defined()) continue;
      IDML_CHECK(grads[i].shape() == input.shape(), "backward of '", node->name(), "' produced a gradient ",
                 grads[i].str(), " for input ", i, " of shape ", shape_str(input.shape()));
      if (input.is_leaf()) {
        accumulate_leaf(input, grads[i]);
      } else {
        auto [slot, inserted] = pending.try_emplace(input.grad_fn().get(), grads[i]);
        if (!inserted) slot->second = add(slot->second, grads[i]);
      }
    }
    node->release();
  }
}

}  // namespace idml
