// The parameters of one fused Adam / AdamW step (the per-element update is in
// engine/elementwise_math.h), shared by the op front-end and the backends.
#pragma once

namespace idml {

// One Adam / AdamW step (PyTorch 1.13's single-tensor formula), per element:
//   Adam:  g = g + wd p          AdamW: p = p (1 - lr wd)
//   m = beta1 m + (1 - beta1) g,   v = beta2 v + (1 - beta2) g^2
//   p = p - lr / bias_correction1 * m / (sqrt(v) / sqrt(bias_correction2) + eps)
struct AdamStep {
  double lr, beta1, beta2, eps, weight_decay;
  double bias_correction1, bias_correction2;  // 1 - beta1^t, 1 - beta2^t
  bool decoupled_weight_decay;                // AdamW
};

}  // namespace idml
