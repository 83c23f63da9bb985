// sum, mean and max over dims, and their gradients.
#include <algorithm>

#include "engine/ops.h"
#include "engine/ops/op_utils.h"

namespace idml {

using namespace ops_detail;

namespace {

using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

// (outer, reduce, inner) sizes of x around dim d.
void split_at(const Shape& s, int64_t d, int64_t& outer, int64_t& inner) {
  outer = 1;
  inner = 1;
  for (int64_t i = 0; i < d; ++i) outer *= s[i];
  for (size_t i = d + 1; i < s.size(); ++i) inner *= s[i];
}

// Sum over one dim, keeping it as size 1. No autograd.
Tensor sum_one_dim(const Tensor& x, int64_t d) {
  int64_t outer, inner;
  split_at(x.shape(), d, outer, inner);
  Shape out_shape = x.shape();
  out_shape[d] = 1;
  Tensor out = empty(out_shape, x.dtype(), x.device());
  backend_of(x).sum_axis(x.dtype(), x.raw_data(), out.raw_data(), outer, x.shape()[d], inner);
  return out;
}

std::vector<int64_t> normalized_dims(const std::vector<int64_t>& dims, int64_t ndim, const char* op) {
  std::vector<int64_t> out;
  for (int64_t d : dims) out.push_back(normalize_dim(d, ndim, op));
  std::sort(out.begin(), out.end());
  IDML_CHECK(std::adjacent_find(out.begin(), out.end()) == out.end(), op, ": a dim appears twice");
  return out;
}

Shape reduced_shape(const Shape& s, const std::vector<int64_t>& dims, KeepDim keepdim) {
  Shape out;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool reduced = std::find(dims.begin(), dims.end(), static_cast<int64_t>(i)) != dims.end();
    if (!reduced) out.push_back(s[i]);
    else if (keepdim == KeepDim::yes) out.push_back(1);
  }
  return out;
}

}  // namespace

Tensor sum(const Tensor& x) {
  check_floating("sum", x);
  Tensor out = empty({}, x.dtype(), x.device());
  backend_of(x).sum_axis(x.dtype(), to_plain(x).raw_data(), out.raw_data(), 1, x.numel(), 1);
  return record(out, "sum", {x}, [s = x.shape()](const Tensor& g, const Needs&) {
    return Grads{expand(g.reshape(Shape(s.size(), 1)), s)};
  });
}

Tensor sum(const Tensor& x, const std::vector<int64_t>& dims_in, KeepDim keepdim) {
  check_floating("sum", x);
  const std::vector<int64_t> dims = normalized_dims(dims_in, x.dim(), "sum");
  Tensor out = to_plain(x).detach();
  for (auto it = dims.rbegin(); it != dims.rend(); ++it) out = sum_one_dim(out, *it);
  if (dims.empty()) out = out.clone();
  const Shape kept = reduced_shape(x.shape(), dims, KeepDim::yes);
  if (keepdim == KeepDim::no) out = out.reshape(reduced_shape(x.shape(), dims, KeepDim::no));
  return record(out, "sum", {x}, [s = x.shape(), kept](const Tensor& g, const Needs&) {
    return Grads{expand(g.reshape(kept), s)};
  });
}

Tensor mean(const Tensor& x) {
  IDML_CHECK(x.numel() > 0, "mean: empty tensor ", x.str());
  return div_scalar(sum(x), static_cast<double>(x.numel()));
}

Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, KeepDim keepdim) {
  int64_t count = 1;
  for (int64_t d : normalized_dims(dims, x.dim(), "mean")) count *= x.shape()[d];
  IDML_CHECK(count > 0, "mean: reducing an empty dim of ", x.str());
  return div_scalar(sum(x, dims, keepdim), static_cast<double>(count));
}

MaxResult max(const Tensor& x, int64_t dim, KeepDim keepdim) {
  check_floating("max", x);
  const int64_t d = normalize_dim(dim, x.dim(), "max");
  IDML_CHECK(x.shape()[d] > 0, "max: reducing an empty dim of ", x.str());
  int64_t outer, inner;
  split_at(x.shape(), d, outer, inner);
  const Shape kept = reduced_shape(x.shape(), {d}, KeepDim::yes);
  Tensor values = empty(kept, x.dtype(), x.device());
  Tensor indices = empty(kept, DType::Int64, x.device());
  const int64_t reduce = x.shape()[d];
  backend_of(x).max_axis(x.dtype(), to_plain(x).raw_data(), values.raw_data(), indices.data<int64_t>(), outer, reduce,
                         inner);
  if (keepdim == KeepDim::no) {
    const Shape dropped = reduced_shape(x.shape(), {d}, KeepDim::no);
    values = values.reshape(dropped);
    indices = indices.reshape(dropped);
  }
  values = record(values, "max", {x},
                  [s = x.shape(), idx = indices.detach(), outer, reduce, inner](const Tensor& g, const Needs&) {
                    Tensor dx = empty(s, g.dtype(), g.device());
                    backend_of(g).max_axis_backward(g.dtype(), to_plain(g).raw_data(), idx.data<int64_t>(),
                                                    dx.raw_data(), outer, reduce, inner);
                    return Grads{dx};
                  });
  return {values, indices};
}

Tensor max(const Tensor& x) {
  IDML_CHECK(x.numel() > 0, "max: empty tensor ", x.str());
  return max(x.reshape({x.numel()}), 0).values;
}

}  // namespace idml
