#include "tests/engine/gradcheck.h"

#include <cmath>
#include <sstream>

#include "engine/autograd.h"
#include "engine/generator.h"
#include "engine/ops.h"

namespace idml::testing {

namespace {

double weighted_sum(const Tensor& out, const std::vector<double>& w) {
  const std::vector<double> v = out.to(DType::Float64).to_vector<double>();
  double acc = 0;
  for (size_t i = 0; i < v.size(); ++i) acc += v[i] * w[i];
  return acc;
}

}  // namespace

GradcheckResult gradcheck(const OpFn& f, const std::vector<Tensor>& inputs, double eps, double tolerance) {
  GradcheckResult result;
  std::ostringstream report;
  Generator gen(1234);

  // Analytic gradients.
  for (const Tensor& t : inputs)
    if (t.defined()) t.impl().grad.reset();
  const Tensor out = f(inputs);
  const Tensor w = randn(out.shape(), gen, 0.0, 1.0, out.dtype(), out.device());
  const std::vector<double> w_host = w.to(DType::Float64).to_vector<double>();
  sum(mul(out, w)).backward();

  for (size_t k = 0; k < inputs.size(); ++k) {
    const Tensor& input = inputs[k];
    if (!input.defined() || !input.requires_grad()) continue;
    const Tensor grad = input.grad();
    if (!grad.defined()) {
      result.ok = false;
      report << "input " << k << ": no gradient was accumulated\n";
      continue;
    }
    const std::vector<double> analytic = grad.to(DType::Float64).to_vector<double>();
    std::vector<double> values = input.to(DType::Float64).to_vector<double>();
    int shown = 0;
    for (size_t j = 0; j < values.size(); ++j) {
      const double saved = values[j];
      auto loss_at = [&](double v) {
        values[j] = v;
        std::vector<Tensor> probe = inputs;
        probe[k] = from_vector(values, input.shape(), input.device()).to(input.dtype());
        NoGradGuard no_grad;
        return weighted_sum(f(probe), w_host);
      };
      const double numeric = (loss_at(saved + eps) - loss_at(saved - eps)) / (2 * eps);
      values[j] = saved;
      const double error = std::abs(numeric - analytic[j]);
      if (error > tolerance * (1.0 + std::abs(numeric))) {
        result.ok = false;
        if (shown++ < 5)
          report << "input " << k << " element " << j << ": autograd " << analytic[j] << ", finite differences "
                 << numeric << "\n";
      }
    }
  }
  result.report = report.str();
  return result;
}

}  // namespace idml::testing
