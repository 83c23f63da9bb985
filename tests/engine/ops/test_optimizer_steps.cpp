// The fused Adam/AdamW kernel equals the formula written op by op, bit for
// bit on the CPU, with and without weight decay, for float32 and float64.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/cpu/cpu_backend.h"
#include "tests/engine/test_util.h"

namespace idml {
namespace {

// The op-by-op formula (PyTorch 1.13's single-tensor Adam): returns new (p, m, v).
std::vector<Tensor> adam_by_ops(Tensor p, const Tensor& grad, Tensor m, Tensor v, const AdamStep& s) {
  Tensor g = grad;
  if (s.weight_decay != 0.0) {
    if (s.decoupled_weight_decay) p = mul_scalar(p, 1.0 - s.lr * s.weight_decay);
    else g = add(g, mul_scalar(p, s.weight_decay));
  }
  m = add(mul_scalar(m, s.beta1), mul_scalar(g, 1.0 - s.beta1));
  v = add(mul_scalar(v, s.beta2), mul_scalar(mul(g, g), 1.0 - s.beta2));
  const Tensor denom = add_scalar(div_scalar(sqrt(v), std::sqrt(s.bias_correction2)), s.eps);
  p = sub(p, mul_scalar(div(m, denom), s.lr / s.bias_correction1));
  return {p, m, v};
}

TEST(OptimizerSteps, FusedAdamEqualsTheOpByOpFormula) {
  Generator gen(90);
  for (DType dtype : {DType::Float32, DType::Float64})
    for (bool decoupled : {false, true})
      for (double decay : {0.0, 0.1}) {
        SCOPED_TRACE(std::string(dtype_name(dtype)) + (decoupled ? " AdamW" : " Adam") + " wd " + std::to_string(decay));
        const Shape shape{37, 41};  // odd sizes
        const Tensor p = randn(shape, gen, 0, 1, dtype), g = randn(shape, gen, 0, 1, dtype);
        const Tensor m = randn(shape, gen, 0, 0.1, dtype), v = rand(shape, gen, 0.0, 0.1, dtype);
        const int step_count = 3;
        const AdamStep s{1e-2, 0.9, 0.999, 1e-8, decay, 1 - std::pow(0.9, step_count), 1 - std::pow(0.999, step_count),
                         decoupled};
        const std::vector<Tensor> expected = adam_by_ops(p, g, m, v, s);
        const Tensor fp = p.clone(), fm = m.clone(), fv = v.clone();
        adam_step_(fp, g, fm, fv, s);
        EXPECT_EQ(testing::host(fp), testing::host(expected[0]));
        EXPECT_EQ(testing::host(fm), testing::host(expected[1]));
        EXPECT_EQ(testing::host(fv), testing::host(expected[2]));
      }
}

TEST(OptimizerSteps, LargeTensorsTakeTheParallelPath) {
  Generator gen(91);
  const Tensor p = randn({300000}, gen), g = randn({300000}, gen);
  const Tensor m = zeros({300000}), v = zeros({300000});
  const AdamStep s{1e-3, 0.9, 0.999, 1e-8, 1e-4, 0.1, 0.001, true};
  const std::vector<Tensor> expected = adam_by_ops(p, g, m, v, s);
  const Tensor fp = p.clone();
  const int64_t before = cpu::parallel_loops.load();
  adam_step_(fp, g, m, v, s);
  EXPECT_EQ(cpu::parallel_loops.load(), before + 1) << "adam_step of 300000 elements ran on one thread";
  EXPECT_EQ(fp.to_vector<float>(), expected[0].to_vector<float>());
}

TEST(OptimizerSteps, MismatchedShapesAreErrors) {
  const AdamStep s{1e-3, 0.9, 0.999, 1e-8, 0, 0.1, 0.001, true};
  EXPECT_THROW(adam_step_(zeros({3}), zeros({4}), zeros({3}), zeros({3}), s), Error);
  EXPECT_THROW(adam_step_(zeros({3}), zeros({3}), zeros({3}), zeros({3}), {1e-3, 0.9, 0.999, 1e-8, 0, 0, 0, true}),
               Error);
}

}  // namespace
}  // namespace idml
