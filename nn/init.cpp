// Initialisers: the formulas of torch.nn.init, values drawn on the host.
#include "nn/init.h"

#include <cmath>

#include "engine/error.h"

namespace idml::nn {

Generator& ParameterInit::generator() const {
  IDML_CHECK(gen_ != nullptr, "ParameterInit: no generator (the parameters are skipped, to be loaded)");
  return *gen_;
}

}  // namespace idml::nn

namespace idml::nn::init {

Fans fans(const Tensor& weight) {
  IDML_CHECK(weight.dim() >= 2, "init: fan in/out need a tensor with at least 2 dims, got ", weight.str());
  int64_t receptive = 1;
  for (int64_t d = 2; d < weight.dim(); ++d) receptive *= weight.size(d);
  return {weight.size(1) * receptive, weight.size(0) * receptive};
}

double relu_gain() { return std::sqrt(2.0); }
double leaky_relu_gain(double negative_slope) { return std::sqrt(2.0 / (1.0 + negative_slope * negative_slope)); }

void uniform_(const Tensor& tensor, Generator& gen, double low, double high) {
  tensor.copy_(rand(tensor.shape(), gen, low, high, tensor.dtype()));
}

void normal_(const Tensor& tensor, Generator& gen, double mean, double std) {
  tensor.copy_(randn(tensor.shape(), gen, mean, std, tensor.dtype()));
}

void constant_(const Tensor& tensor, double value) {
  tensor.copy_(full(tensor.shape(), value, tensor.dtype()));
}

namespace {
double fan_of(const Tensor& tensor, FanMode mode) {
  const Fans f = fans(tensor);
  const int64_t fan = mode == FanMode::FanIn ? f.fan_in : f.fan_out;
  IDML_CHECK(fan > 0, "init: zero fan for ", tensor.str());
  return static_cast<double>(fan);
}
}  // namespace

void kaiming_normal_(const Tensor& tensor, ParameterInit init, FanMode mode, double a) {
  const double sigma = leaky_relu_gain(a) / std::sqrt(fan_of(tensor, mode));
  if (init.draws()) normal_(tensor, init.generator(), 0.0, sigma);
  else constant_(tensor, 0.0);
}

void kaiming_uniform_(const Tensor& tensor, ParameterInit init, FanMode mode, double a) {
  const double bound = leaky_relu_gain(a) * std::sqrt(3.0 / fan_of(tensor, mode));
  if (init.draws()) uniform_(tensor, init.generator(), -bound, bound);
  else constant_(tensor, 0.0);
}

void default_weight_and_bias_(const Tensor& weight, const Tensor& bias, ParameterInit init) {
  kaiming_uniform_(weight, init, FanMode::FanIn, std::sqrt(5.0));
  if (!bias.defined()) return;
  const double bound = 1.0 / std::sqrt(static_cast<double>(fans(weight).fan_in));
  if (init.draws()) uniform_(bias, init.generator(), -bound, bound);
  else constant_(bias, 0.0);
}

}  // namespace idml::nn::init
