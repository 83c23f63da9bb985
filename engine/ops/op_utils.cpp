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

BroadcastPlan broadcast_plan(const Shape& out_shape, const std::vector<Shape>& operand_shapes) {
  BroadcastPlan plan;
  IDML_CHECK(out_shape.size() <= BroadcastPlan::kMaxDims, "broadcast: at most ", BroadcastPlan::kMaxDims,
             " dims supported, got ", shape_str(out_shape));
  plan.ndim = static_cast<int>(out_shape.size());
  plan.numel = shape_numel(out_shape);
  for (int d = 0; d < plan.ndim; ++d) plan.out_shape[d] = out_shape[d];
  for (size_t k = 0; k < operand_shapes.size(); ++k) {
    const Shape& s = operand_shapes[k];
    const Shape strides = contiguous_strides(s);
    const size_t lead = out_shape.size() - s.size();
    for (int d = 0; d < plan.ndim; ++d) {
      const bool present = static_cast<size_t>(d) >= lead;
      const int64_t size = present ? s[d - lead] : 1;
      plan.strides[k][d] = (size == 1) ? 0 : strides[d - lead];
    }
    plan.contiguous[k] = (s == out_shape);
  }
  return plan;
}

}  // namespace idml::ops_detail
