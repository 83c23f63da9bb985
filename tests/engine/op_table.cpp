// The rows of the op table (op_table.h): every op of engine/ops.h.
#include "tests/engine/op_table.h"

#include <cmath>

#include "engine/cpu/reference.h"
#include "engine/ops.h"

namespace idml::testing {

namespace ref = cpu::reference;

namespace {

using V = const std::vector<Tensor>&;
constexpr Input N = Input::Normal, P = Input::Positive, S = Input::Spread, M = Input::Mask, I = Input::Index;

OpRow unary(std::string name, Input kind, std::function<Tensor(const Tensor&)> op, std::function<double(double)> f) {
  return {std::move(name), {{3, 4, 5}}, {kind}, [op](V t) { return op(t[0]); },
          [f](V t) { return ref::map(t[0], f); }, true, 2e-6, 1e-5, 0, {{70001}}};
}

// Shape pairs that broadcast: equal, row, column, both sides, 0-d, leading dims.
const std::vector<std::pair<std::string, std::vector<Shape>>>& broadcast_layouts() {
  static const std::vector<std::pair<std::string, std::vector<Shape>>> layouts = {
      {"same", {{3, 5}, {3, 5}}},       {"row", {{3, 5}, {5}}},        {"column", {{3, 5}, {3, 1}}},
      {"both", {{4, 1, 3}, {2, 1}}},    {"0d", {{2, 3, 4}, {}}},   {"leading", {{1}, {2, 3}}},
      {"mixed", {{1, 3, 1, 2}, {2, 1, 5, 1}}}};
  return layouts;
}

void add_binary(std::vector<OpRow>& rows, const std::string& name, Input b_kind,
                std::function<Tensor(const Tensor&, const Tensor&)> op, std::function<double(double, double)> f) {
  for (const auto& [layout, shapes] : broadcast_layouts())
    rows.push_back({name + "_" + layout, shapes, {S, b_kind}, [op](V t) { return op(t[0], t[1]); },
                    [f](V t) { return ref::broadcast(t[0], t[1], f); }, true, 2e-6, 1e-5, 0,
                    layout == "column" ? std::vector<Shape>{{64, 33, 40}, {33, 1}} : std::vector<Shape>{}});
}


std::vector<OpRow> make_table() {
  std::vector<OpRow> rows = {
      unary("neg", N, [](const Tensor& x) { return neg(x); }, [](double v) { return -v; }),
      unary("exp", N, [](const Tensor& x) { return exp(x); }, [](double v) { return std::exp(v); }),
      unary("log", P, [](const Tensor& x) { return log(x); }, [](double v) { return std::log(v); }),
      unary("log1p", P, [](const Tensor& x) { return log1p(x); }, [](double v) { return std::log1p(v); }),
      unary("sqrt", P, [](const Tensor& x) { return sqrt(x); }, [](double v) { return std::sqrt(v); }),
      unary("sigmoid", N, [](const Tensor& x) { return sigmoid(x); }, [](double v) { return 1 / (1 + std::exp(-v)); }),
      unary("relu", S, [](const Tensor& x) { return relu(x); }, [](double v) { return v > 0 ? v : 0; }),
      unary("add_scalar", N, [](const Tensor& x) { return add_scalar(x, 1.5); }, [](double v) { return v + 1.5; }),
      unary("mul_scalar", N, [](const Tensor& x) { return mul_scalar(x, -2.5); }, [](double v) { return v * -2.5; }),
      unary("div_scalar", N, [](const Tensor& x) { return div_scalar(x, 3.0); }, [](double v) { return v / 3.0; }),
      unary("rsub_scalar", N, [](const Tensor& x) { return rsub_scalar(x, 1.0); }, [](double v) { return 1.0 - v; }),
      unary("clamp", S, [](const Tensor& x) { return clamp(x, -0.7, 0.9); },
            [](double v) { return std::min(0.9, std::max(-0.7, v)); }),
      unary("clamp_min", S, [](const Tensor& x) { return clamp_min(x, 0.5); }, [](double v) { return std::max(0.5, v); }),
  };
  add_binary(rows, "add", N, [](const Tensor& a, const Tensor& b) { return add(a, b); },
             [](double x, double y) { return x + y; });
  add_binary(rows, "sub", N, [](const Tensor& a, const Tensor& b) { return sub(a, b); },
             [](double x, double y) { return x - y; });
  add_binary(rows, "mul", N, [](const Tensor& a, const Tensor& b) { return mul(a, b); },
             [](double x, double y) { return x * y; });
  add_binary(rows, "div", S, [](const Tensor& a, const Tensor& b) { return div(a, b); },
             [](double x, double y) { return x / y; });
  const std::vector<OpRow> others = {
      // Masks: the second input is the first's neighbour row, so ties happen.
      {"eq_gt_lt", {{4, 5}, {5}}, {N, N},
       [](V t) { return add(add(mul_scalar(eq(t[0], t[0]), 4), mul_scalar(gt(t[0], t[1]), 2)), lt(t[0], t[1])); },
       [](V t) {
         return ref::broadcast(t[0], t[1], [](double x, double y) { return 4.0 + 2.0 * (x > y) + (x < y); });
       },
       false, 0, 0, 0, {{64, 33, 40}, {40}}},
      {"relu_backward", {{4, 5}, {5}}, {N, N}, [](V t) { return relu_backward(t[0], t[1]); },
       [](V t) { return ref::broadcast(t[0], t[1], [](double g, double y) { return y > 0 ? g : 0.0; }); }, false,
       1e-7, 0, 0, {{64, 33, 40}, {33, 40}}},  // float32: the inputs' rounding only
      {"where", {{4, 5}, {4, 5}, {5}}, {M, N, N}, [](V t) { return where(t[0], t[1], t[2]); },
       [](V t) { return ref::where(t[0], t[1], t[2]); }, true, 2e-6, 1e-5, 0, {{64, 33, 40}, {33, 40}, {40}}},
      {"expand", {{3, 1}}, {N}, [](V t) { return expand(t[0], {2, 3, 4}); },
       [](V t) { return ref::expand(t[0], {2, 3, 4}); }},
      {"sum_to_shape", {{2, 3, 4}}, {N}, [](V t) { return sum_to_shape(t[0], {3, 1}); },
       [](V t) { return ref::sum(t[0], {0, 2}, KeepDim::yes).reshape({3, 1}); }},
      {"sum_all", {{7, 9}}, {N}, [](V t) { return sum(t[0]); }, [](V t) { return ref::sum(t[0], {}, KeepDim::no); },
       true, 1e-5},
      {"sum_dims", {{3, 4, 5, 6}}, {N}, [](V t) { return sum(t[0], {0, 2}, KeepDim::yes); },
       [](V t) { return ref::sum(t[0], {0, 2}, KeepDim::yes); }, true, 1e-5},
      {"sum_middle_long", {{3, 700, 2}}, {N}, [](V t) { return sum(t[0], {1}); },
       [](V t) { return ref::sum(t[0], {1}, KeepDim::no); }, true, 1e-5, 1e-5, 0, {{3, 70000, 2}}},
      {"mean_dims", {{3, 4, 5}}, {N}, [](V t) { return mean(t[0], {-1}); },
       [](V t) { return ref::mean(t[0], {-1}, KeepDim::no); }, true, 1e-5},
      {"max_dim", {{6, 9, 4}}, {N}, [](V t) { return max(t[0], 1).values; },
       [](V t) { return ref::max(t[0], 1, KeepDim::no); }},
      {"max_all", {{6, 9}}, {N}, [](V t) { return max(t[0]); },
       [](V t) { return ref::max(t[0].reshape({t[0].numel()}), 0, KeepDim::no); }},
      {"matmul", {{7, 11}, {11, 5}}, {N, N}, [](V t) { return matmul(t[0], t[1]); },
       [](V t) { return ref::matmul(t[0], t[1], Transpose::none); }, true, 1e-5},
      {"matmul_transposed", {{11, 7}, {5, 11}}, {N, N}, [](V t) { return matmul(t[0], t[1], Transpose::both); },
       [](V t) { return ref::matmul(t[0], t[1], Transpose::both); }, true, 1e-5},
      {"linear", {{6, 10}, {4, 10}, {4}}, {N, N, N}, [](V t) { return linear(t[0], t[1], t[2]); },
       [](V t) { return ref::linear(t[0], t[1], t[2]); }, true, 1e-5},
      {"transpose", {{6, 10}}, {N}, [](V t) { return transpose(t[0]); }, [](V t) { return ref::transpose(t[0]); }},
      {"conv2d_strided", {{2, 3, 7, 6}, {4, 3, 3, 3}, {4}}, {N, N, N},
       [](V t) { return conv2d(t[0], t[1], t[2], {2, 1, 1}); },
       [](V t) { return ref::conv2d(t[0], t[1], t[2], 2, 1, 1); }, true, 1e-5, 1e-4},
      {"conv2d_dilated", {{1, 4, 11, 11}, {2, 4, 3, 3}, {2}}, {N, N, N},
       [](V t) { return conv2d(t[0], t[1], t[2], {1, 2, 2}); },
       [](V t) { return ref::conv2d(t[0], t[1], t[2], 1, 2, 2); }, true, 1e-5, 1e-4},
      {"scale_output_channels", {{4, 3, 3, 3}, {4}}, {N, N}, [](V t) { return scale_output_channels(t[0], t[1]); },
       [](V t) { return ref::broadcast(t[0], t[1].reshape({4, 1, 1, 1}), [](double w, double a) { return w * a; }); }},
      {"batch_norm_train_4d", {{4, 3, 5, 5}, {3}, {3}}, {N, N, N},
       [](V t) { return batch_norm(t[0], t[1], t[2], Tensor(), Tensor(), BatchNormMode::training); },
       [](V t) { return ref::batch_norm_training(t[0], t[1], t[2], 1e-5); }, true, 1e-5, 1e-4},
      {"batch_norm_train_2d", {{8, 6}, {6}, {6}}, {N, N, N},
       [](V t) { return batch_norm(t[0], t[1], t[2], Tensor(), Tensor(), BatchNormMode::training); },
       [](V t) { return ref::batch_norm_training(t[0], t[1], t[2], 1e-5); }, true, 1e-5, 1e-4},
      {"max_pool2d", {{2, 3, 9, 9}}, {N}, [](V t) { return max_pool2d(t[0], {3, 2, 1}); },
       [](V t) { return ref::max_pool2d(t[0], 3, 2, 1); }},
      {"adaptive_avg_pool2d_1x1", {{2, 3, 5, 4}}, {N}, [](V t) { return adaptive_avg_pool2d_1x1(t[0]); },
       [](V t) { return ref::mean(t[0], {2, 3}, KeepDim::yes); }},
      {"adaptive_max_pool2d_1x1", {{2, 3, 5, 4}}, {N}, [](V t) { return adaptive_max_pool2d_1x1(t[0]); },
       [](V t) { return ref::max(t[0].reshape({2, 3, 20}), 2, KeepDim::no).reshape({2, 3, 1, 1}); }},
      {"concat", {{2, 3, 4}, {2, 5, 4}}, {N, N}, [](V t) { return concat({t[0], t[1]}, 1); },
       [](V t) { return ref::concat({t[0], t[1]}, 1); }},
      {"narrow", {{2, 8, 4}}, {N}, [](V t) { return narrow(t[0], 1, 2, 5); },
       [](V t) { return ref::narrow(t[0], 1, 2, 5); }},
      {"index_select", {{6, 3}, {8}}, {N, I}, [](V t) { return index_select(t[0], t[1]); },
       [](V t) { return ref::index_select(t[0], t[1]); }, true, 2e-6, 1e-5, 6},
      {"gather", {{6, 8}, {6, 3}}, {N, I}, [](V t) { return gather(t[0], t[1]); },
       [](V t) { return ref::gather(t[0], t[1]); }, true, 2e-6, 1e-5, 8},
      {"one_hot", {{9}}, {I}, [](V t) { return one_hot(t[0], 5, DType::Float64); },
       [](V t) { return ref::one_hot(t[0], 5); }, false, 0, 0, 5},
      {"l2_normalize", {{5, 8}}, {N}, [](V t) { return l2_normalize(t[0]); },
       [](V t) { return ref::l2_normalize(t[0], 1, 1e-12); }},
  };
  rows.insert(rows.end(), others.begin(), others.end());
  return rows;
}

}  // namespace

const std::vector<OpRow>& op_table() {
  static const std::vector<OpRow> table = make_table();
  return table;
}

std::vector<Tensor> make_inputs(const OpRow& row, const std::vector<Shape>& shapes, DType dtype, Generator& gen) {
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < shapes.size(); ++i) {
    std::vector<double> v(shape_numel(shapes[i]));
    for (double& x : v) {
      const double n = gen.normal();
      switch (row.kinds[i]) {
        case Input::Normal: x = n; break;
        case Input::Positive: x = 0.2 + std::abs(n); break;
        case Input::Spread:
          x = (n >= 0 ? 1 : -1) * (0.2 + std::abs(n));
          for (double kink : {-0.7, 0.5, 0.9})
            if (std::abs(x - kink) < 0.05) x += 0.1;
          break;
        case Input::Mask: x = static_cast<double>(gen.below(2)); break;
        case Input::Index: x = static_cast<double>(gen.below(row.index_limit)); break;  // repeats on purpose
      }
    }
    const Tensor t = from_vector(v, shapes[i]);
    inputs.push_back(row.kinds[i] == Input::Index ? t.to(DType::Int64) : t.to(dtype));
  }
  return inputs;
}

}  // namespace idml::testing
