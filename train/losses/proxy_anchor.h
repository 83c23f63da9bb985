// The Proxy-Anchor criterion (--loss Proxy_Anchor, docs/METHOD.md#4-losses): one
// learnable point per training class and the loss of proxy_anchor_loss.h on them.
//   proxies (C, D): Kaiming normal, mode fan_out over (C, D): std = sqrt(2 / C)
#pragma once

#include "engine/generator.h"
#include "train/losses/criterion.h"
#include "train/losses/proxy_anchor_loss.h"

namespace idml::train {

class ProxyAnchor : public Criterion {
 public:
  ProxyAnchor(int64_t num_classes, int64_t embedding_size, const ProxyAnchorOptions& options, Generator& gen);

  // semantic, uncertainty (B, D), labels int64 (B) in [0, C) -> scalar loss.
  Tensor forward(const Tensor& semantic, const Tensor& uncertainty, const Tensor& labels) const override;
  LossKind kind() const override { return LossKind::ProxyAnchor; }

  const ProxyAnchorOptions& options() const { return options_; }
  int64_t num_classes() const { return proxies.size(0); }

  Tensor proxies;

 private:
  ProxyAnchorOptions options_;
};

}  // namespace idml::train
