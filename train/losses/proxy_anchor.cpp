// The Proxy-Anchor criterion: its proxies and the loss of proxy_anchor_loss.h on them.
#include "train/losses/proxy_anchor.h"

#include <cmath>

#include "engine/ops.h"

namespace idml::train {

ProxyAnchor::ProxyAnchor(int64_t num_classes, int64_t embedding_size, const ProxyAnchorOptions& options,
                         Generator& gen)
    : options_(options) {
  IDML_CHECK(num_classes > 0 && embedding_size > 0, "ProxyAnchor: ", num_classes, " classes and embedding size ",
             embedding_size, " must both be positive");
  proxies = register_parameter(
      "proxies", randn({num_classes, embedding_size}, gen, 0.0, std::sqrt(2.0 / static_cast<double>(num_classes))));
}

Tensor ProxyAnchor::forward(const Tensor& semantic, const Tensor& uncertainty, const Tensor& labels) const {
  return proxy_anchor_loss(semantic, uncertainty, labels, proxies, options_);
}

}  // namespace idml::train
