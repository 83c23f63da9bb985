// Reverse-mode automatic differentiation on a dynamic tape.
//
// An op whose inputs require grad records a Node on its output. The Node holds
// the differentiable inputs (the graph's edges) and a closure that maps the
// output's gradient to one gradient per input. Closures capture detached
// tensors only, so no reference cycle keeps a graph alive. backward() visits
// the nodes in reverse topological order, accumulates into leaf `.grad`, and
// frees every visited node (a second backward through it is an error). A
// leaf's accumulated .grad is always plain (engine/storage.h); gradients
// between nodes may stay in a backend's layout.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/tensor.h"

namespace idml {

// needs_grad[i]: whether input i wants a gradient; the closure may skip the
// work for the others and return an undefined Tensor there.
using BackwardFn =
    std::function<std::vector<Tensor>(const Tensor& grad_output, const std::vector<bool>& needs_grad)>;

class Node {
 public:
  Node(std::string name, std::vector<Tensor> inputs, BackwardFn backward);
  const std::string& name() const { return name_; }
  const std::vector<Tensor>& inputs() const { return inputs_; }
  std::vector<Tensor> apply(const Tensor& grad_output);
  void release();  // drop inputs and closure after use
  bool released() const { return !backward_; }

 private:
  std::string name_;
  std::vector<Tensor> inputs_;
  std::vector<bool> needs_grad_;
  BackwardFn backward_;
};

// Whether ops record a graph on this thread.
bool grad_enabled();

// Disables recording for its scope (evaluation, optimizer steps, backward itself).
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// True when grad mode is on and some input requires grad.
bool should_record(const std::vector<Tensor>& inputs);

// Attaches a Node named `name` to `output` (which becomes non-leaf and requires grad)
// when should_record(inputs). Returns `output`.
Tensor record(Tensor output, const char* name, std::vector<Tensor> inputs, BackwardFn backward);

// The gradient engine behind Tensor::backward.
void run_backward(const Tensor& root, const Tensor& grad_output);

}  // namespace idml
