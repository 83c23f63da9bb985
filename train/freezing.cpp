#include "train/freezing.h"

#include "nn/batch_norm.h"

namespace idml::train {

void apply_trainable_state(models::IDMLNet& net, const Tensor& proxies, int64_t epoch, int64_t warm) {
  proxies.impl().requires_grad = true;
  if (warm > 0 && epoch < warm) {
    net.set_requires_grad(false);
    for (const Tensor& p : net.embedding_parameters()) p.impl().requires_grad = true;
    return;
  }
  net.set_requires_grad(true);
  if (warm > 0) return;  // the reference unfreezes everything at epoch W
  for (auto& [name, module] : net.named_modules())
    if (auto* bn = dynamic_cast<nn::BatchNorm2d*>(module); bn && bn->frozen()) {
      bn->weight.impl().requires_grad = false;
      bn->bias.impl().requires_grad = false;
    }
}

}  // namespace idml::train
