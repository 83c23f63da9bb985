// Forward passes over parameters that do not change while a
// ConstantParameters scope lives: inside it, conv2d_frozen_batch_norm folds
// each batch norm into its convolution's weight once rather than at every
// forward pass, and converts the folded weight once (to_layout) into the
// layout its convolution reads (oneDNN's blocked one:
// Backend::conv2d_weight_layout), so that no forward pass reorders a weight
// either.
//   - Inference (grad mode off: eval, embed, bench's inference): the
//     converted weight is outside any graph.
//   - Training (grad mode on: the IDML step's clean and mixed forwards): the
//     forwards share the folded weight and shift, which stay in the autograd
//     graph (the conversion is a node of it), so the backward runs through the
//     fold once, on the sum of the forwards' gradients.
//   - A fold made in one grad mode is not used in the other (it is made again).
//   - The parameters must not change while the scope lives (no optimiser
//     step, no checkpoint load): entries are keyed by the parameters' storage
//     (its address) and know nothing of writes to it.
//   - A scope belongs to the thread that opened it (each data-parallel
//     replica's thread opens its own); scopes nest.
#pragma once

#include <array>
#include <functional>
#include <map>

#include "engine/tensor.h"

namespace idml {

class ConstantParameters {
 public:
  ConstantParameters();
  ~ConstantParameters();
  ConstantParameters(const ConstantParameters&) = delete;
  ConstantParameters& operator=(const ConstantParameters&) = delete;

  // The innermost scope of this thread, or null.
  static ConstantParameters* active();

  // A convolution with its frozen batch norm folded in: conv(x, weight) + shift.
  struct FoldedConv {
    Tensor weight, shift;
  };
  // The conv weight, gamma, beta, running mean and running variance.
  using ConvBatchNorm = std::array<Tensor, 5>;
  // The fold of these parameters (and eps): made by `fold` on the first call
  // in this grad mode, the same tensors on every later one.
  const FoldedConv& folded(const ConvBatchNorm& parameters, double eps, const std::function<FoldedConv()>& fold);
  // How many folds this scope holds (tests).
  size_t size() const { return entries_.size(); }

 private:
  using Key = std::array<const void*, 5>;
  struct Entry {
    ConvBatchNorm parameters;  // held, so that no other tensor takes their bytes while the key names them
    double eps;
    bool with_grad;  // made while autograd recorded (the fold is in its graph)
    FoldedConv folded;
  };
  std::map<Key, Entry> entries_;
  ConstantParameters* outer_;
};

}  // namespace idml
