// Weight initialisers with PyTorch's formulas (torch.nn.init), drawing from an
// idml::Generator on the host, so a seed gives the same weights on every
// device. The values differ from PyTorch's (different generator); the
// distributions are the same. All fill `tensor` in place (no autograd).
#pragma once

#include <cstdint>

#include "engine/generator.h"
#include "engine/tensor.h"

namespace idml::nn {

// Where a new module's parameters get their first values. Usually drawn from
// a generator: a model trained from scratch, whose module constructors draw
// in construction order, so a seed fixes every value. `skip()` draws nothing
// and leaves zeros, for a model whose every parameter a checkpoint then
// overwrites (models/trained_net.cpp: `idml eval`, `embed`, `serve`, the
// report): a ResNet-50 is 25M normal draws, which took longer than reading
// the checkpoint.
class ParameterInit {
 public:
  ParameterInit(Generator& gen) : gen_(&gen) {}  // NOLINT(google-explicit-constructor): the usual source
  static ParameterInit skip() { return ParameterInit(nullptr); }
  bool draws() const { return gen_ != nullptr; }
  Generator& generator() const;  // only where draws()

 private:
  explicit ParameterInit(Generator* gen) : gen_(gen) {}
  Generator* gen_;
};

}  // namespace idml::nn

namespace idml::nn::init {

enum class FanMode { FanIn, FanOut };

struct Fans {
  int64_t fan_in;
  int64_t fan_out;
};
// weight (out, in, k...): fan_in = in * prod(k), fan_out = out * prod(k).
Fans fans(const Tensor& weight);

// gain("relu") = sqrt(2); leaky_relu with slope a: sqrt(2 / (1 + a^2)).
double relu_gain();
double leaky_relu_gain(double negative_slope);

void uniform_(const Tensor& tensor, Generator& gen, double low, double high);
void normal_(const Tensor& tensor, Generator& gen, double mean, double std);
void constant_(const Tensor& tensor, double value);

// The module initialisers below fill zeros instead where `init` skips.
// N(0, std^2) with std = gain / sqrt(fan), gain = sqrt(2 / (1 + a^2)).
void kaiming_normal_(const Tensor& tensor, ParameterInit init, FanMode mode = FanMode::FanIn, double a = 0.0);
// U(-bound, bound) with bound = gain * sqrt(3 / fan).
void kaiming_uniform_(const Tensor& tensor, ParameterInit init, FanMode mode = FanMode::FanIn, double a = 0.0);

// PyTorch's default for nn.Conv2d and nn.Linear (reset_parameters):
// weight kaiming_uniform(a = sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
// bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)). `bias` may be undefined.
void default_weight_and_bias_(const Tensor& weight, const Tensor& bias, ParameterInit init);

}  // namespace idml::nn::init
