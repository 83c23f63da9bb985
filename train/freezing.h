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
#pragma once

#include <cstdint>

#include "engine/tensor.h"
#include "models/idml_net.h"
#include "train/losses/proxy_anchor.h"

namespace idml::train {

void apply_trainable_state(models::IDMLNet& net, ProxyAnchor& loss, int64_t epoch, int64_t warm);

}  // namespace idml::train
