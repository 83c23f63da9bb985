// The mixup training step of SPEC §5.
#include "train/mixup_step.h"

#include <cmath>
#include <numeric>

#include "engine/ops.h"
#include "nn/clip_grad.h"

namespace idml::train {

namespace {

// Fisher-Yates from the front, as a uniformly random permutation.
std::vector<int64_t> random_permutation(int64_t n, Generator& gen) {
  std::vector<int64_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  for (int64_t i = n - 1; i > 0; --i) std::swap(perm[i], perm[gen.below(static_cast<uint64_t>(i + 1))]);
  return perm;
}

}  // namespace

StepResult mixup_train_step(models::IDMLNet& net, const ProxyAnchor& criterion, nn::Optimizer& optimizer,
                            const Tensor& images, const Tensor& labels, Generator& gen, const StepOptions& options) {
  const int64_t n = images.size(0);
  const double lam = gen.uniform();
  const Tensor perm = from_vector(random_permutation(n, gen), {n}, images.device());
  const Tensor mixed = add(mul_scalar(images, lam), mul_scalar(index_select(images, perm), 1.0 - lam));
  const Tensor labels_perm = index_select(labels, perm);

  const auto clean = net.forward(images);
  const auto mix = net.forward(mixed);
  const Tensor loss_clean = criterion.forward(clean.semantic, clean.uncertainty, labels);
  const Tensor loss_a = criterion.forward(mix.semantic, mix.uncertainty, labels);
  const Tensor loss_b = criterion.forward(mix.semantic, mix.uncertainty, labels_perm);
  const Tensor loss = add(loss_clean, add(mul_scalar(loss_a, lam), mul_scalar(loss_b, 1.0 - lam)));

  const double value = loss.item();
  if (!std::isfinite(value))
    throw NonFiniteLoss(std::string("the training loss is ") + (std::isnan(value) ? "NaN" : "infinite") +
                        " (lower --lr, check the data, or raise --clip); no update was applied");
  optimizer.zero_grad();
  loss.backward();
  std::vector<Tensor> trainable;
  for (const auto& group : optimizer.param_groups())
    for (const Tensor& p : group.params)
      if (p.grad().defined()) trainable.push_back(p);
  nn::clip_grad_value_(trainable, options.clip_value);
  optimizer.step();
  return {value, lam};
}

}  // namespace idml::train
