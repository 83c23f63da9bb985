// docs/METHOD.md#6-optimisation warm-up and docs/METHOD.md#2-model BN freeze, as requires_grad flags derived from the epoch.
#include "train/freezing.h"

#include "nn/batch_norm.h"

namespace idml::train {

void apply_trainable_state(models::IDMLNet& net, Criterion& loss, int64_t epoch, int64_t warm, double proxy_lr_scale) {
  loss.set_requires_grad(proxies_train(loss, proxy_lr_scale));
  if (warm > 0 && epoch < warm) {
    net.set_requires_grad(false);
    for (Tensor p : net.embedding_parameters()) p.set_requires_grad(true);
    return;
  }
  net.set_requires_grad(true);
  if (warm > 0) return;  // the reference unfreezes everything at epoch W
  for (auto& [name, module] : net.named_modules())
    if (auto* bn = dynamic_cast<nn::BatchNorm2d*>(module); bn && bn->frozen()) {
      bn->weight.set_requires_grad(false);
      bn->bias.set_requires_grad(false);
    }
}

}  // namespace idml::train
