// The mixup training step of docs/METHOD.md#5-training-step.
#include "train/mixup_step.h"

#include <cmath>

#include "engine/constant_parameters.h"
#include "engine/ops.h"
#include "nn/clip_grad.h"
#include "train/random_permutation.h"

namespace idml::train {

MixupDraw draw_mixup(int64_t batch, Generator& gen) {
  MixupDraw draw;
  draw.lam = gen.uniform();
  draw.perm = random_permutation(batch, gen);
  return draw;
}

Tensor mixup_loss(const Criterion& criterion, const models::IDMLNet::Output& clean,
                  const models::IDMLNet::Output& mix, const Tensor& labels, const MixupDraw& draw) {
  const int64_t n = static_cast<int64_t>(draw.perm.size());
  const Tensor labels_perm = index_select(labels, from_vector(draw.perm, {n}, labels.device()));
  const Tensor loss_clean = criterion.forward(clean.semantic, clean.uncertainty, labels);
  const Tensor loss_a = criterion.forward(mix.semantic, mix.uncertainty, labels);
  const Tensor loss_b = criterion.forward(mix.semantic, mix.uncertainty, labels_perm);
  return add(loss_clean, add(mul_scalar(loss_a, draw.lam), mul_scalar(loss_b, 1.0 - draw.lam)));
}

void check_finite_loss(double value) {
  if (!std::isfinite(value))
    throw NonFiniteLoss(std::string("the training loss is ") + (std::isnan(value) ? "NaN" : "infinite") +
                        " (lower --lr, check the data, or raise --clip); nothing of this step was saved");
}

void clip_and_step(nn::Optimizer& optimizer, double clip_value) {
  std::vector<Tensor> trainable;
  for (const auto& group : optimizer.param_groups())
    for (const Tensor& p : group.params)
      if (p.grad().defined()) trainable.push_back(p);
  nn::clip_grad_value_(trainable, clip_value);
  optimizer.step();
}

StepResult mixup_train_step(models::IDMLNet& net, const Criterion& criterion, nn::Optimizer& optimizer,
                            const Tensor& images, const Tensor& labels, Generator& gen, const StepOptions& options) {
  const int64_t n = images.size(0);
  const MixupDraw draw = draw_mixup(n, gen);
  const Tensor perm = from_vector(draw.perm, {n}, images.device());
  const Tensor mixed = add(mul_scalar(images, draw.lam), mul_scalar(index_select(images, perm), 1.0 - draw.lam));
  models::IDMLNet::Output clean, mix;
  {
    const ConstantParameters shared;  // the two forwards share each frozen BN's fold (one backward through it)
    clean = net.forward(images);
    mix = net.forward(mixed);
  }
  const Tensor loss = mixup_loss(criterion, clean, mix, labels, draw);
  optimizer.zero_grad();
  loss.backward();
  clip_and_step(optimizer, options.clip_value);
  // The step's one read of device memory, once its update is queued (engine/host_reads.h).
  const double value = loss.item();
  check_finite_loss(value);
  return {value, draw.lam};
}

}  // namespace idml::train
