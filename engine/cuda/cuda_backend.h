// Public face of the CUDA backend: the device count, the backend object of
// each device (used by engine/backend.cpp's dispatch), the TF32 switches and
// memory statistics. No CUDA header is included here, so any C++ file may
// include it; the kernels live in the .cu/.cpp files of this folder.
#pragma once

#include <cstddef>
#include <string>

#include "engine/backend.h"

namespace idml::cuda {

// Number of usable CUDA devices; 0 when the runtime reports any error (no
// driver, no GPU, a broken install): "no GPU" is never an exception.
int device_count();
// Why device_count() is 0 ("cudaGetDeviceCount: no CUDA-capable device is
// detected"), or "" when devices are present.
std::string unavailable_reason();

// The backend of device `index` (created on first use, never destroyed, so
// tensors freed during static destruction still find it). Throws idml::Error
// when there is no GPU or the index is out of range.
Backend& backend_for_device(int index);

// TF32 tensor-core math for float32. Defaults follow PyTorch: convolutions
// use TF32 (torch.backends.cudnn.allow_tf32 = True), GEMMs do not
// (torch.backends.cuda.matmul.allow_tf32 = False). The environment variable
// IDML_TF32=1 turns both on, IDML_TF32=0 both off; it is read once.
struct MathOptions {
  bool tf32_conv = true;
  bool tf32_gemm = false;
};
MathOptions math_options();
// Applies to kernels launched afterwards (the cuDNN algorithm cache is keyed by it).
void set_math_options(const MathOptions& options);

// Bytes held by live tensors / kept in the caching allocator's free lists.
struct MemoryStats {
  size_t allocated_bytes = 0;
  size_t cached_bytes = 0;
  size_t device_mallocs = 0;  // cudaMalloc calls so far (flat in steady state)
};
MemoryStats memory_stats(int device_index);
// Returns the cached, unused blocks of a device to the driver.
void empty_cache(int device_index);

}  // namespace idml::cuda
