// The optimiser's parameter groups of docs/METHOD.md#6-optimisation:
//   (1) "backbone":  every model parameter except the semantic embedding layer
//                    (uncertainty included; fc too: it never has a gradient, so
//                    the optimizer skips it), at lr
//   (2) "embedding": the semantic embedding layer, at lr
//   (3) "proxies":   the loss's proxies (proxy losses only), at lr x proxy_lr_scale
//                    (100, as the reference's Proxy-Anchor); with a scale of 0 the
//                    group is left out and the proxies never move (the
//                    reference's Proxy_NCA, whose proxies it never hands to the optimiser)
// all with the same weight decay.
#pragma once

#include <vector>

#include "models/idml_net.h"
#include "nn/optimizer.h"
#include "train/losses/criterion.h"

namespace idml::train {

constexpr double kProxyLrMultiplier = 100.0;

std::vector<nn::ParamGroup> idml_parameter_groups(const models::IDMLNet& net, const Criterion& loss, double lr,
                                                  double weight_decay, double proxy_lr_scale = kProxyLrMultiplier);

// Whether the loss's proxies train: it has some and their scale is not 0.
bool proxies_train(const Criterion& loss, double proxy_lr_scale);

}  // namespace idml::train
