// One IDML training step (docs/METHOD.md#5-training-step), as the reference computes it:
//   lam ~ Beta(1, 1) = U(0, 1);  perm = a random permutation of the batch
//   x2 = lam x + (1 - lam) x[perm]
//   (s1, u1) = model(x);  (s2, u2) = model(x2)         two forward passes
//   L = loss(s1, u1, y) + lam loss(s2, u2, y) + (1 - lam) loss(s2, u2, y[perm])
// then zero grads, backward, clip every gradient element to [-clip, clip]
// (model parameters and proxies), optimizer step.
#pragma once

#include <vector>

#include "engine/generator.h"
#include "models/idml_net.h"
#include "nn/optimizer.h"
#include "train/losses/criterion.h"

namespace idml::train {

struct StepOptions {
  double clip_value = 10.0;
};

struct StepResult {
  double loss = 0;
  double lambda = 0;
};

// The step's random draws: lam ~ U(0, 1), then perm, in that order from the
// step generator. Data-parallel ranks draw the same ones (train/data_parallel.h).
struct MixupDraw {
  double lam = 0;
  std::vector<int64_t> perm;  // (batch)
};
MixupDraw draw_mixup(int64_t batch, Generator& gen);

// The docs/METHOD.md#5-training-step loss on (s1, u1) of the clean and (s2, u2) of the mixed images,
// y = labels; shared by the one-device and the data-parallel step.
Tensor mixup_loss(const Criterion& loss, const models::IDMLNet::Output& clean, const models::IDMLNet::Output& mix,
                  const Tensor& labels, const MixupDraw& draw);

// The loss was NaN or infinite. It is read once the step's update is queued
// (one read of device memory per step), so the model in memory has taken that
// update; the run stops without saving it.
class NonFiniteLoss : public Error {
 public:
  using Error::Error;
};

// images float (N, 3, H, W), labels int64 (N), on the model's device. `gen`
// draws lam and the permutation.
// Throws NonFiniteLoss unless `value` is finite.
void check_finite_loss(double value);

// Clips every gradient of the optimiser's parameters to [-clip, clip], then steps.
void clip_and_step(nn::Optimizer& optimizer, double clip_value);

StepResult mixup_train_step(models::IDMLNet& net, const Criterion& loss, nn::Optimizer& optimizer,
                            const Tensor& images, const Tensor& labels, Generator& gen, const StepOptions& options);

}  // namespace idml::train
