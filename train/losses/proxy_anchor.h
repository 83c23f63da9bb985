// The Proxy-Anchor criterion as a module that owns its proxies (docs/METHOD.md#4-losses): one
// learnable point per training class, so the network and the loss travel as
// two modules and checkpoints find the proxies under the name `proxies`.
//   proxies (C, D): Kaiming normal, mode fan_out over (C, D): std = sqrt(2 / C)
#pragma once

#include "engine/generator.h"
#include "nn/module.h"
#include "train/losses/proxy_anchor_loss.h"

namespace idml::train {

class ProxyAnchor : public nn::Module {
 public:
  ProxyAnchor(int64_t num_classes, int64_t embedding_size, const ProxyAnchorOptions& options, Generator& gen);

  // semantic, uncertainty (B, D), labels int64 (B) in [0, C) -> scalar loss.
  Tensor forward(const Tensor& semantic, const Tensor& uncertainty, const Tensor& labels) const;

  const ProxyAnchorOptions& options() const { return options_; }
  int64_t num_classes() const { return proxies.size(0); }

  Tensor proxies;

 private:
  ProxyAnchorOptions options_;
};

}  // namespace idml::train
