// clip_grad_value_.
#include "nn/clip_grad.h"

#include "engine/autograd.h"
#include "engine/ops.h"

namespace idml::nn {

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  IDML_CHECK(clip_value >= 0.0, "clip_grad_value_: clip_value must be >= 0, got ", clip_value);
  NoGradGuard no_grad;
  for (const Tensor& p : parameters) {
    const Tensor grad = p.grad();
    if (grad.defined()) grad.copy_(clamp(grad, -clip_value, clip_value));
  }
}

}  // namespace idml::nn
