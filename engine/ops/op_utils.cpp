// Argument checks and broadcast plans shared by the op front-ends.
#include "engine/ops/op_utils.h"

namespace idml::ops_detail {

void check_same(const char* op, std::initializer_list<Tensor> tensors) {
  const Tensor* first = nullptr;
  for (const Tensor& t : tensors) {
    if (!t.defined()) continue;
    if (!first) {
      first = &t;
      continue;
    }
    IDML_CHECK(t.device() == first->device(), op, ": tensors on different devices: ", first->str(), " and ",
               t.str());
    IDML_CHECK(t.dtype() == first->dtype(), op, ": tensors of different dtypes: ", first->str(), " and ",
               t.str());
  }
}

void check_floating(const char* op, const Tensor& t) {
  IDML_CHECK(is_floating(t.dtype()), op, ": expected a float tensor, got ", t.str());
}

void check_dim(const char* op, const Tensor& t, int64_t ndim, const char* name) {
  IDML_CHECK(t.dim() == ndim, op, ": ", name, " must be ", ndim, "-d, got ", t.str());
}

// Dims of size 1 are dropped and neighbours that every operand walks as one
// (stride[d] == stride[d + 1] * size[d + 1]) merged, so that the kernels'
// innermost dim is as long as possible: W (OC, C, KH, KW) * a (OC, 1, 1, 1) is
// planned as (OC, C*KH*KW) with a's strides (1, 0).
BroadcastPlan broadcast_plan(const Shape& out_shape, const std::vector<Shape>& operand_shapes) {
  IDML_CHECK(out_shape.size() <= BroadcastPlan::kMaxDims, "broadcast: at most ", BroadcastPlan::kMaxDims,
             " dims supported, got ", shape_str(out_shape));
  const int ndim = static_cast<int>(out_shape.size());
  const size_t operands = operand_shapes.size();
  int64_t strides[3][BroadcastPlan::kMaxDims] = {};
  BroadcastPlan plan;
  for (size_t k = 0; k < operands; ++k) {
    const Shape& s = operand_shapes[k];
    const Shape contiguous = contiguous_strides(s);
    const size_t lead = out_shape.size() - s.size();
    for (int d = 0; d < ndim; ++d) {
      const bool present = static_cast<size_t>(d) >= lead;
      const int64_t size = present ? s[d - lead] : 1;
      strides[k][d] = (size == 1) ? 0 : contiguous[d - lead];
    }
    plan.contiguous[k] = (s == out_shape);
  }
  plan.numel = shape_numel(out_shape);
  for (int d = 0; d < ndim; ++d) {
    if (out_shape[d] == 1) continue;
    const int q = plan.ndim - 1;  // the last dim kept
    bool merges = q >= 0;
    for (size_t k = 0; k < operands && merges; ++k) merges = plan.strides[k][q < 0 ? 0 : q] == strides[k][d] * out_shape[d];
    if (merges) {
      plan.out_shape[q] *= out_shape[d];
      for (size_t k = 0; k < operands; ++k) plan.strides[k][q] = strides[k][d];
    } else {
      plan.out_shape[plan.ndim] = out_shape[d];
      for (size_t k = 0; k < operands; ++k) plan.strides[k][plan.ndim] = strides[k][d];
      ++plan.ndim;
    }
  }
  if (plan.ndim == 0) {  // one element
    plan.ndim = 1;
    plan.out_shape[0] = plan.numel;
  }
  return plan;
}

}  // namespace idml::ops_detail
