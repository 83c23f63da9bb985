// Shared argument checks and helpers of the op front-ends (internal).
#pragma once

#include <initializer_list>
#include <vector>

#include "engine/autograd.h"
#include "engine/backend.h"
#include "engine/tensor.h"

namespace idml::ops_detail {

// Throws unless every defined tensor has `first`'s device and dtype.
void check_same(const char* op, std::initializer_list<Tensor> tensors);
void check_floating(const char* op, const Tensor& t);
void check_dim(const char* op, const Tensor& t, int64_t ndim, const char* name);

// Plan broadcasting each operand to out_shape.
BroadcastPlan broadcast_plan(const Shape& out_shape, const std::vector<Shape>& operand_shapes);

inline Backend& backend_of(const Tensor& t) { return backend_for(t.device()); }

}  // namespace idml::ops_detail
