// One IDML training step (SPEC §5), as the reference computes it:
//   lam ~ Beta(1, 1) = U(0, 1);  perm = a random permutation of the batch
//   x2 = lam x + (1 - lam) x[perm]
//   (s1, u1) = model(x);  (s2, u2) = model(x2)         two forward passes
//   L = loss(s1, u1, y) + lam loss(s2, u2, y) + (1 - lam) loss(s2, u2, y[perm])
// then zero grads, backward, clip every gradient element to [-clip, clip]
// (model parameters and proxies), optimizer step.
#pragma once

#include "engine/generator.h"
#include "models/idml_net.h"
#include "nn/optimizer.h"
#include "train/losses/proxy_anchor.h"

namespace idml::train {

struct StepOptions {
  double clip_value = 10.0;
};

struct StepResult {
  double loss = 0;
  double lambda = 0;
};

// The loss was NaN or infinite: nothing was updated.
class NonFiniteLoss : public Error {
 public:
  using Error::Error;
};

// images float (N, 3, H, W), labels int64 (N), on the model's device. `gen`
// draws lam and the permutation.
StepResult mixup_train_step(models::IDMLNet& net, const ProxyAnchor& loss, nn::Optimizer& optimizer,
                            const Tensor& images, const Tensor& labels, Generator& gen, const StepOptions& options);

}  // namespace idml::train
