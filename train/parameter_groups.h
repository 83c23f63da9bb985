// The optimiser's parameter groups of docs/METHOD.md#6-optimisation:
//   (1) "backbone":  every model parameter except the semantic embedding layer
//                    (uncertainty included; fc too: it never has a gradient, so
//                    the optimizer skips it), at lr
//   (2) "embedding": the semantic embedding layer, at lr
//   (3) "proxies":   the loss's proxies, at lr * 100
// all with the same weight decay.
#pragma once

#include <vector>

#include "models/idml_net.h"
#include "nn/optimizer.h"
#include "train/losses/proxy_anchor.h"

namespace idml::train {

constexpr double kProxyLrMultiplier = 100.0;

std::vector<nn::ParamGroup> idml_parameter_groups(const models::IDMLNet& net, const ProxyAnchor& loss, double lr,
                                                  double weight_decay);

}  // namespace idml::train
