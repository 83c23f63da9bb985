// StepLR in closed form.
#include "nn/lr_scheduler.h"

#include <cmath>

namespace idml::nn {

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : optimizer_(optimizer), step_size_(step_size), gamma_(gamma) {
  IDML_CHECK(step_size > 0, "StepLR: step_size must be positive, got ", step_size);
  IDML_CHECK(gamma > 0.0, "StepLR: gamma must be positive, got ", gamma);
  set_epoch(0);
}

double StepLR::factor(int64_t epoch) const {
  IDML_CHECK(epoch >= 0, "StepLR: negative epoch ", epoch);
  return std::pow(gamma_, static_cast<double>(epoch / step_size_));
}

void StepLR::step() { set_epoch(epoch_ + 1); }

void StepLR::set_epoch(int64_t epoch) {
  const double f = factor(epoch);
  epoch_ = epoch;
  for (ParamGroup& group : optimizer_.param_groups()) group.lr = group.initial_lr * f;
}

}  // namespace idml::nn
