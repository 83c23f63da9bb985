// Shared pieces of the .cu files: launch geometry and a device-side mirror
// of BroadcastPlan offsets (dtype dispatch is engine/dispatch.h).
#pragma once

#include <algorithm>
#include <cstdint>

#include "engine/backend.h"
#include "engine/dispatch.h"
#include "engine/cuda/cuda_check.h"
#include "engine/cuda/cuda_device_backend.h"

namespace idml::cuda {

constexpr int kThreads = 256;

// Blocks for a grid-stride loop over n elements: enough to fill any GPU,
// few enough that each thread does several elements.
inline unsigned int blocks_for(int64_t n) {
  const int64_t blocks = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned int>(std::min<int64_t>(std::max<int64_t>(blocks, 1), 65535 * 8));
}

// for (i = global thread; i < n; i += grid size)
#define IDML_GRID_STRIDE_LOOP(i, n)                                                              \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n);        \
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)

// i / d and i % d, in 32-bit arithmetic when the caller knows every index
// fits (64-bit division costs several times more on GPUs and can bound a
// memory-bound kernel). `fits32` is uniform over a launch, so no divergence.
struct QuotientRemainder {
  int64_t quotient, remainder;
};
__device__ inline QuotientRemainder divide(int64_t i, int64_t d, bool fits32) {
  if (fits32) {
    const uint32_t a = static_cast<uint32_t>(i), b = static_cast<uint32_t>(d);
    return {a / b, a % b};
  }
  return {i / d, i % d};
}
inline bool fits_32bit(int64_t n) { return n < (int64_t(1) << 31); }

// Element offsets of the plan's operands for flat output index i.
struct Offsets {
  int64_t o[3];
};
__device__ inline Offsets broadcast_offsets(const BroadcastPlan& p, int64_t i) {
  Offsets r{{0, 0, 0}};
  for (int d = p.ndim - 1; d >= 0; --d) {
    const int64_t coord = i % p.out_shape[d];
    i /= p.out_shape[d];
    r.o[0] += coord * p.strides[0][d];
    r.o[1] += coord * p.strides[1][d];
    r.o[2] += coord * p.strides[2][d];
  }
  return r;
}

}  // namespace idml::cuda
