// The IDML pooling f = GAP(x) + GMP(x) (docs/METHOD.md#2-model). The ResNets call the
// engine's relu and max_pool2d directly, so there are no parameter-free
// layer classes.
#pragma once

#include "engine/ops.h"

namespace idml::nn {

// (N, C, H, W) -> (N, C): mean over H, W plus max over H, W.
Tensor global_avg_plus_max_pool(const Tensor& x);

}  // namespace idml::nn
