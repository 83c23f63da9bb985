// The one bridge from the data pipeline to the engine: a loader Batch as
// tensors. images: float32 (N, 3, H, W); labels: int64 (N). Copies the host
// buffers (to `device` directly). No autograd: plain leaf tensors.
#pragma once

#include "data/loader.h"
#include "engine/tensor.h"

namespace idml::data {

struct BatchTensors {
  Tensor images;  // float32 (N, 3, H, W), normalised
  Tensor labels;  // int64 (N)
};

BatchTensors to_tensors(const Batch& batch, Device device = Device::cpu());

}  // namespace idml::data
