// Elementwise ops with broadcasting and their gradients.
// Broadcast operands receive the gradient summed back to their own shape.
#include <limits>

#include "engine/ops.h"
#include "engine/ops/op_utils.h"

namespace idml {

using namespace ops_detail;

namespace {

Tensor unary_kernel(const char* name, UnaryOp op, const Tensor& x_in, double a = 0, double b = 0) {
  check_floating(name, x_in);
  const Tensor x = to_plain(x_in);
  Tensor out = empty(x.shape(), x.dtype(), x.device());
  backend_of(x).unary(op, x.dtype(), x.raw_data(), out.raw_data(), x.numel(), a, b);
  return out;
}

Tensor binary_kernel(const char* name, BinaryOp op, const Tensor& a, const Tensor& b) {
  check_same(name, {a, b});
  check_floating(name, a);
  const Shape out_shape = broadcast_shapes(a.shape(), b.shape(), name);
  Tensor out = empty(out_shape, a.dtype(), a.device());
  const BroadcastPlan plan = broadcast_plan(out_shape, {a.shape(), b.shape()});
  // Same-shaped operands held in one backend layout (engine/storage.h), as
  // the gradients between oneDNN convolutions are: the op runs on the stored
  // bytes and its output stays in that layout, so no operand is reordered.
  if (a.shape() == b.shape() && !a.is_plain() && !b.is_plain() && a.layout()->same_as(*b.layout())) {
    backend_of(a).binary(op, a.dtype(), plan, a.stored_bytes().data, b.stored_bytes().data, out.raw_data());
    out.set_stored_layout(a.layout());
    return out;
  }
  const Tensor ap = to_plain(a), bp = to_plain(b);
  backend_of(a).binary(op, a.dtype(), plan, ap.raw_data(), bp.raw_data(), out.raw_data());
  return out;
}

using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

}  // namespace

Tensor expand(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  IDML_CHECK(broadcast_shapes(x.shape(), shape, "expand") == shape, "expand: cannot expand ", x.str(), " to ",
             shape_str(shape));
  check_floating("expand", x);
  Tensor out = empty(shape, x.dtype(), x.device());
  backend_of(x).broadcast_copy(x.dtype(), broadcast_plan(shape, {x.shape()}), to_plain(x).raw_data(),
                               out.raw_data());
  const Shape in_shape = x.shape();
  return record(out, "expand", {x}, [in_shape](const Tensor& g, const Needs&) {
    return Grads{sum_to_shape(g, in_shape)};
  });
}

Tensor sum_to_shape(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  const size_t lead = x.shape().size() - shape.size();
  IDML_CHECK(x.shape().size() >= shape.size(), "sum_to_shape: ", x.str(), " has fewer dims than ",
             shape_str(shape));
  std::vector<int64_t> dims;
  for (size_t d = 0; d < x.shape().size(); ++d) {
    if (d < lead) {
      dims.push_back(static_cast<int64_t>(d));
    } else if (shape[d - lead] == 1 && x.shape()[d] != 1) {
      dims.push_back(static_cast<int64_t>(d));
    } else {
      IDML_CHECK(shape[d - lead] == x.shape()[d], "sum_to_shape: cannot reduce ", x.str(), " to ",
                 shape_str(shape));
    }
  }
  return sum(x, dims, KeepDim::yes).reshape(shape);
}

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = binary_kernel("add", BinaryOp::Add, a, b);
  return record(out, "add", {a, b}, [sa = a.shape(), sb = b.shape()](const Tensor& g, const Needs& n) {
    return Grads{n[0] ? sum_to_shape(g, sa) : Tensor(), n[1] ? sum_to_shape(g, sb) : Tensor()};
  });
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = binary_kernel("sub", BinaryOp::Sub, a, b);
  return record(out, "sub", {a, b}, [sa = a.shape(), sb = b.shape()](const Tensor& g, const Needs& n) {
    return Grads{n[0] ? sum_to_shape(g, sa) : Tensor(), n[1] ? sum_to_shape(neg(g), sb) : Tensor()};
  });
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = binary_kernel("mul", BinaryOp::Mul, a, b);
  return record(out, "mul", {a, b}, [ad = a.detach(), bd = b.detach()](const Tensor& g, const Needs& n) {
    return Grads{n[0] ? sum_to_shape(mul(g, bd), ad.shape()) : Tensor(),
                 n[1] ? sum_to_shape(mul(g, ad), bd.shape()) : Tensor()};
  });
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = binary_kernel("div", BinaryOp::Div, a, b);
  return record(out, "div", {a, b}, [ad = a.detach(), bd = b.detach()](const Tensor& g, const Needs& n) {
    // d(a/b)/db = -a / b^2, as PyTorch evaluates it.
    return Grads{n[0] ? sum_to_shape(div(g, bd), ad.shape()) : Tensor(),
                 n[1] ? sum_to_shape(div(mul(neg(g), ad), mul(bd, bd)), bd.shape()) : Tensor()};
  });
}

Tensor eq(const Tensor& a, const Tensor& b) { return binary_kernel("eq", BinaryOp::Equal, a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return binary_kernel("gt", BinaryOp::Greater, a, b); }
Tensor relu_backward(const Tensor& grad, const Tensor& y) {
  return binary_kernel("relu_backward", BinaryOp::ReluGrad, grad, y);
}
Tensor lt(const Tensor& a, const Tensor& b) { return binary_kernel("lt", BinaryOp::Less, a, b); }

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  check_same("where", {cond, a, b});
  check_floating("where", a);
  const Shape out_shape =
      broadcast_shapes(cond.shape(), broadcast_shapes(a.shape(), b.shape(), "where"), "where");
  Tensor out = empty(out_shape, a.dtype(), a.device());
  backend_of(a).where(a.dtype(), broadcast_plan(out_shape, {cond.shape(), a.shape(), b.shape()}),
                      to_plain(cond).raw_data(), to_plain(a).raw_data(), to_plain(b).raw_data(), out.raw_data());
  return record(out, "where", {a, b},
                [c = cond.detach(), sa = a.shape(), sb = b.shape()](const Tensor& g, const Needs& n) {
                  const Tensor zero = zeros({}, g.dtype(), g.device());
                  return Grads{n[0] ? sum_to_shape(where(c, g, zero), sa) : Tensor(),
                               n[1] ? sum_to_shape(where(c, zero, g), sb) : Tensor()};
                });
}

// ---- unary ----

Tensor neg(const Tensor& x) {
  return record(unary_kernel("neg", UnaryOp::Neg, x), "neg", {x},
                [](const Tensor& g, const Needs&) { return Grads{neg(g)}; });
}

Tensor add_scalar(const Tensor& x, double s) {
  return record(unary_kernel("add_scalar", UnaryOp::AddScalar, x, s), "add_scalar", {x},
                [](const Tensor& g, const Needs&) { return Grads{g}; });
}

Tensor mul_scalar(const Tensor& x, double s) {
  return record(unary_kernel("mul_scalar", UnaryOp::MulScalar, x, s), "mul_scalar", {x},
                [s](const Tensor& g, const Needs&) { return Grads{mul_scalar(g, s)}; });
}

Tensor div_scalar(const Tensor& x, double s) {
  return record(unary_kernel("div_scalar", UnaryOp::DivScalar, x, s), "div_scalar", {x},
                [s](const Tensor& g, const Needs&) { return Grads{div_scalar(g, s)}; });
}

Tensor rsub_scalar(const Tensor& x, double s) {
  return record(unary_kernel("rsub_scalar", UnaryOp::RsubScalar, x, s), "rsub_scalar", {x},
                [](const Tensor& g, const Needs&) { return Grads{neg(g)}; });
}

Tensor exp(const Tensor& x) {
  Tensor out = unary_kernel("exp", UnaryOp::Exp, x);
  return record(out, "exp", {x}, [o = out.detach()](const Tensor& g, const Needs&) { return Grads{mul(g, o)}; });
}

Tensor log(const Tensor& x) {
  return record(unary_kernel("log", UnaryOp::Log, x), "log", {x},
                [xd = x.detach()](const Tensor& g, const Needs&) { return Grads{div(g, xd)}; });
}

Tensor log1p(const Tensor& x) {
  return record(unary_kernel("log1p", UnaryOp::Log1p, x), "log1p", {x}, [xd = x.detach()](const Tensor& g, const Needs&) {
    return Grads{div(g, add_scalar(xd, 1.0))};
  });
}

Tensor sqrt(const Tensor& x) {
  Tensor out = unary_kernel("sqrt", UnaryOp::Sqrt, x);
  return record(out, "sqrt", {x}, [o = out.detach()](const Tensor& g, const Needs&) {
    return Grads{div(g, mul_scalar(o, 2.0))};
  });
}

Tensor sigmoid(const Tensor& x) {
  Tensor out = unary_kernel("sigmoid", UnaryOp::Sigmoid, x);
  return record(out, "sigmoid", {x}, [o = out.detach()](const Tensor& g, const Needs&) {
    return Grads{mul(g, mul(o, rsub_scalar(o, 1.0)))};
  });
}

Tensor clamp(const Tensor& x, double low, double high) {
  IDML_CHECK(low <= high, "clamp: low ", low, " > high ", high);
  return record(unary_kernel("clamp", UnaryOp::Clamp, x, low, high), "clamp", {x},
                [xd = x.detach(), low, high](const Tensor& g, const Needs&) {
                  return Grads{mul(g, unary_kernel("clamp", UnaryOp::InRange, xd, low, high))};
                });
}

Tensor clamp_min(const Tensor& x, double low) { return clamp(x, low, std::numeric_limits<double>::infinity()); }

Tensor relu(const Tensor& x) {
  Tensor out = unary_kernel("relu", UnaryOp::Relu, x);
  return record(out, "relu", {x}, [o = out.detach()](const Tensor& g, const Needs&) {
    return Grads{relu_backward(g, o)};
  });
}

}  // namespace idml
