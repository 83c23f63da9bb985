// Gradient clipping by value, as torch.nn.utils.clip_grad_value_: every
// element of every defined gradient is clamped to [-clip_value, clip_value]
// in place. Parameters without a gradient are left alone.
#pragma once

#include <vector>

#include "engine/tensor.h"

namespace idml::nn {

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);

}  // namespace idml::nn
