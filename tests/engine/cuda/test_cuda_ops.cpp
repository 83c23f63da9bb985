// Every op of engine/ops.h, forward and backward, on tensors moved with
// .to(Device::cuda()) against the same op on the CPU. One table: adding an
// op means adding one row. Each row runs in float32 (full FP32 math) and
// float64; the loss is sum(output * r) for a fixed random r, so every
// output element carries a distinct gradient. Tolerances: per row for
// float32 (relative, on 1 + |cpu value|), 1e-9 for float64.
#include <functional>

#include "tests/engine/cuda/cuda_test_util.h"

namespace idml {
namespace {

using namespace cuda_testing;

enum class Input { Normal, Positive, Index };

struct OpCase {
  const char* name;
  std::vector<Shape> shapes;
  std::vector<Input> kinds;  // per input; Index inputs never require grad
  std::function<Tensor(const std::vector<Tensor>&)> run;
  double float_tol = 1e-5;
  bool differentiable = true;
};

std::vector<OpCase> op_cases() {
  using V = const std::vector<Tensor>&;
  const Input N = Input::Normal, P = Input::Positive;
  return {
      {"add broadcast", {{3, 1, 5}, {4, 5}}, {N, N}, [](V t) { return add(t[0], t[1]); }},
      {"sub broadcast", {{4, 5}, {3, 1, 5}}, {N, N}, [](V t) { return sub(t[0], t[1]); }},
      {"mul broadcast", {{2, 3, 4}, {3, 1}}, {N, N}, [](V t) { return mul(t[0], t[1]); }},
      {"div broadcast", {{2, 3, 4}, {4}}, {N, P}, [](V t) { return div(t[0], t[1]); }},
      {"maximum", {{6, 7}, {6, 7}}, {N, N}, [](V t) { return maximum(t[0], t[1]); }},
      {"scalars", {{5, 6}}, {N}, [](V t) { return rsub_scalar(div_scalar(mul_scalar(add_scalar(t[0], 1.5), -2.0), 3.0), 0.5); }},
      {"neg exp", {{5, 6}}, {N}, [](V t) { return exp(neg(t[0])); }},
      {"log log1p sqrt", {{5, 6}}, {P}, [](V t) { return add(add(log(t[0]), log1p(t[0])), sqrt(t[0])); }},
      {"abs relu", {{5, 6}}, {N}, [](V t) { return add(abs(t[0]), relu(t[0])); }},
      {"pow", {{5, 6}}, {P}, [](V t) { return add(add(pow_scalar(t[0], 2), pow_scalar(t[0], 0.5)), pow_scalar(t[0], 1.7)); }},
      {"clamp clamp_min", {{5, 6}}, {N}, [](V t) { return add(clamp(t[0], -0.5, 0.6), clamp_min(t[0], 0.2)); }},
      {"lerp", {{4, 5}, {4, 5}}, {N, N}, [](V t) { return add(lerp(t[0], t[1], 0.3), lerp(t[0], t[1], 0.8)); }},
      {"where", {{4, 5}, {4, 5}, {5}}, {N, N, N}, [](V t) { return where(gt(t[0], zeros({}, t[0].dtype(), t[0].device())), t[1], t[2]); }},
      {"eq gt lt", {{4, 5}, {5}}, {N, N}, [](V t) { return add(add(eq(t[0], t[0]), gt(t[0], t[1])), lt(t[0], t[1])); }, 0, false},
      {"expand", {{3, 1}}, {N}, [](V t) { return expand(t[0], {2, 3, 4}); }},
      {"sum all", {{7, 9}}, {N}, [](V t) { return sum(t[0]); }},
      {"sum dims", {{3, 4, 5, 6}}, {N}, [](V t) { return sum(t[0], {0, 2}, true); }},
      {"mean dims", {{3, 4, 5}}, {N}, [](V t) { return mean(t[0], {-1}); }},
      {"max dim", {{6, 9, 4}}, {N}, [](V t) { return max(t[0], 1).values; }},
      {"max all", {{6, 9}}, {N}, [](V t) { return max(t[0]); }},
      {"matmul", {{7, 11}, {11, 5}}, {N, N}, [](V t) { return matmul(t[0], t[1]); }},
      {"matmul transposed", {{11, 7}, {5, 11}}, {N, N}, [](V t) { return matmul(t[0], t[1], true, true); }},
      {"linear", {{6, 10}, {4, 10}, {4}}, {N, N, N}, [](V t) { return linear(t[0], t[1], t[2]); }},
      {"transpose", {{6, 10}}, {N}, [](V t) { return transpose(t[0]); }},
      {"conv2d", {{2, 3, 9, 8}, {5, 3, 3, 3}, {5}}, {N, N, N},
       [](V t) { return conv2d(t[0], t[1], t[2], {2, 1, 1}); }, 1e-4},
      {"conv2d dilated", {{1, 4, 11, 11}, {2, 4, 3, 3}, {2}}, {N, N, N},
       [](V t) { return conv2d(t[0], t[1], t[2], {1, 2, 2}); }, 1e-4},
      {"batch_norm train 4d", {{4, 3, 5, 5}, {3}, {3}}, {N, N, N},
       [](V t) { return batch_norm(t[0], t[1], t[2], Tensor(), Tensor(), true); }, 1e-4},
      {"batch_norm train 2d", {{8, 6}, {6}, {6}}, {N, N, N},
       [](V t) { return batch_norm(t[0], t[1], t[2], Tensor(), Tensor(), true); }, 1e-4},
      {"max_pool2d", {{2, 3, 9, 9}}, {N}, [](V t) { return max_pool2d(t[0], {3, 2, 1}); }},
      {"adaptive pools", {{2, 3, 5, 4}}, {N},
       [](V t) { return add(adaptive_avg_pool2d_1x1(t[0]), adaptive_max_pool2d_1x1(t[0])); }},
      {"concat narrow", {{2, 3, 4}, {2, 5, 4}}, {N, N},
       [](V t) { return narrow(concat({t[0], t[1]}, 1), 1, 2, 5); }},
      {"index_select", {{6, 3}, {8}}, {N, Input::Index}, [](V t) { return index_select(t[0], t[1]); }},
      {"gather", {{6, 8}, {6, 3}}, {N, Input::Index}, [](V t) { return gather(t[0], t[1]); }},
      {"masked_select", {{5, 6}}, {N},
       [](V t) { return masked_select(t[0], gt(t[0], zeros({}, t[0].dtype(), t[0].device()))); }},
      {"l2_normalize", {{5, 8}}, {N}, [](V t) { return l2_normalize(t[0]); }},
  };
}

// Index inputs: values below the first input's size along the dim they index.
Tensor index_input(const Shape& shape, int64_t limit, Generator& gen) {
  std::vector<int64_t> v(shape_numel(shape));
  for (auto& x : v) x = static_cast<int64_t>(gen.below(limit));  // repeats on purpose
  return from_vector(v, shape);
}

class CudaOps : public CudaTest {};

TEST_F(CudaOps, EveryOpForwardAndBackwardMatchesCpu) {
  for (DType dtype : {DType::Float32, DType::Float64}) {
    Generator gen(30);
    for (const OpCase& op : op_cases()) {
      SCOPED_TRACE(std::string(op.name) + " " + name(dtype));
      const double tol = dtype == DType::Float32 ? op.float_tol : 1e-9;
      std::vector<Tensor> on_cpu, on_gpu;
      for (size_t i = 0; i < op.shapes.size(); ++i) {
        Tensor host;
        if (op.kinds[i] == Input::Index) {
          const int64_t limit = op.shapes[0][op.shapes[i].size() == 1 ? 0 : 1];
          host = index_input(op.shapes[i], limit, gen);
        } else {
          host = randn(op.shapes[i], gen, 0.0, 1.0, dtype);
          if (op.kinds[i] == Input::Positive) host = add_scalar(abs(host), 0.2);
        }
        const bool grad = op.differentiable && op.kinds[i] != Input::Index;
        on_cpu.push_back(host.detach().set_requires_grad(grad));
        on_gpu.push_back(host.to(Device::cuda()).detach().set_requires_grad(grad));
      }
      const Tensor y_cpu = op.run(on_cpu);
      const Tensor y_gpu = op.run(on_gpu);
      ASSERT_TRUE(y_gpu.device().is_cuda());
      expect_close(y_gpu, y_cpu, tol, "forward");
      if (!op.differentiable) continue;
      const Tensor r = randn(y_cpu.shape(), gen, 0.0, 1.0, dtype);
      sum(mul(y_cpu, r)).backward();
      sum(mul(y_gpu, r.to(Device::cuda()))).backward();
      for (size_t i = 0; i < on_cpu.size(); ++i) {
        if (!on_cpu[i].requires_grad()) continue;
        if (!on_cpu[i].grad().defined()) {  // e.g. where's condition: no gradient on either device
          EXPECT_FALSE(on_gpu[i].grad().defined()) << "input " << i;
          continue;
        }
        ASSERT_TRUE(on_gpu[i].grad().defined()) << "input " << i << " got no gradient on the GPU";
        EXPECT_TRUE(on_gpu[i].grad().device().is_cuda());
        expect_close(on_gpu[i].grad(), on_cpu[i].grad(), tol, "gradient of input " + std::to_string(i));
      }
    }
  }
}

TEST_F(CudaOps, BatchNormUpdatesRunningStatisticsAndEvaluatesWithThemAsOnCpu) {
  Generator gen(31);
  const Tensor x = randn({6, 4, 3, 3}, gen, 1.0, 2.0);
  const Tensor weight = randn({4}, gen), bias = randn({4}, gen);
  const Tensor mean_cpu = zeros({4}), var_cpu = ones({4});
  const Tensor mean_gpu = mean_cpu.to(Device::cuda()), var_gpu = var_cpu.to(Device::cuda());
  const auto to_gpu = [](const Tensor& t) { return t.to(Device::cuda()); };
  for (int step = 0; step < 3; ++step) {
    batch_norm(x, weight, bias, mean_cpu, var_cpu, true, 0.1, 1e-5);
    batch_norm(to_gpu(x), to_gpu(weight), to_gpu(bias), mean_gpu, var_gpu, true, 0.1, 1e-5);
  }
  expect_close(mean_gpu, mean_cpu, 1e-5, "running_mean");
  expect_close(var_gpu, var_cpu, 1e-5, "running_var");
  const Tensor y_cpu = batch_norm(x, weight, bias, mean_cpu, var_cpu, false);
  const Tensor y_gpu = batch_norm(to_gpu(x), to_gpu(weight), to_gpu(bias), mean_gpu, var_gpu, false);
  expect_close(y_gpu, y_cpu, 1e-5, "evaluation output");
}

TEST_F(CudaOps, OneHotAndIntegerTensorsLiveOnTheDevice) {
  const Tensor labels = from_vector<int64_t>({2, 0, 3, 3}, {4});
  const Tensor hot_cpu = one_hot(labels, 5);
  const Tensor hot_gpu = one_hot(labels.to(Device::cuda()), 5);
  EXPECT_TRUE(hot_gpu.device().is_cuda());
  expect_close(hot_gpu, hot_cpu, 0.0, "one_hot");
  EXPECT_EQ(arange(7, Device::cuda()).to_vector<int64_t>(), arange(7).to_vector<int64_t>());
}

TEST_F(CudaOps, BadIndexOnTheDeviceIsAnErrorNotAStrayWrite) {
  const Tensor x = ones({3, 2}, DType::Float32, Device::cuda());
  const Tensor bad = from_vector<int64_t>({0, 3}, {2}, Device::cuda());
  EXPECT_THROW(index_select(x, bad), Error);
}

}  // namespace
}  // namespace idml
