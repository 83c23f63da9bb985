// Which parameters train in a given epoch (docs/METHOD.md#6-optimisation warm-up, docs/METHOD.md#2-model BN freeze),
// computed from the epoch alone so that a resumed run lands in the same state
// as an uninterrupted one.
//
//   --warm W > 0, epoch < W : only the semantic embedding layer and the proxies
//                             (the rest gets no gradient, hence no update and no
//                             weight decay)
//   --warm W > 0, epoch >= W: every model parameter, BN affine weights included
//                             (the reference's unfreezing; BN stays in inference
//                             mode when frozen)
//   --warm 0                : every parameter, except the BN affine weights
//                             while --bn-freeze is on
// The proxies of a proxy loss train in every epoch unless --proxy-lr-scale is
// 0 (then they get no gradient at all: they are in no parameter group).
#pragma once

#include <cstdint>

#include "engine/tensor.h"
#include "models/idml_net.h"
#include "train/parameter_groups.h"
#include "train/losses/criterion.h"

namespace idml::train {

void apply_trainable_state(models::IDMLNet& net, Criterion& loss, int64_t epoch, int64_t warm,
                           double proxy_lr_scale = kProxyLrMultiplier);

}  // namespace idml::train
