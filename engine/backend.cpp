// Dispatch from a device to its backend, and the CUDA queries of accelerator.h.
// CUDA devices go to the plug-in (engine/cuda/loader.cpp), which says why
// there is no GPU when there is none.
#include "engine/backend.h"

#include "engine/accelerator.h"
#include "engine/cpu/cpu_backend.h"
#include "engine/cuda/cuda_backend.h"
#include "engine/error.h"

namespace idml {

Backend& backend_for(Device device) {
  if (device.is_cpu()) {
    // Never destroyed: tensors with static lifetime may free memory after main.
    static cpu::CpuBackend* cpu_backend = new cpu::CpuBackend;
    return *cpu_backend;
  }
  return cuda::backend_for_device(device.index);
}

bool cuda_available() { return cuda::device_count() > 0; }

int cuda_device_count() { return cuda::device_count(); }

// The runtime's own words ("cudaGetDeviceCount: CUDA driver version is insufficient for CUDA runtime
// version", "libcudnn.so.9 not found in: ..."), never a generic message.
std::string cuda_unavailable_reason() { return cuda::unavailable_reason(); }

ExactFloat32Gemms::ExactFloat32Gemms() {
  cuda::MathOptions options = cuda::math_options();
  if (!options.tf32_gemm) return;
  options.tf32_gemm = false;
  cuda::set_math_options(options);
  restore_tf32_ = true;
}

ExactFloat32Gemms::~ExactFloat32Gemms() {
  if (!restore_tf32_) return;
  cuda::MathOptions options = cuda::math_options();
  options.tf32_gemm = true;
  cuda::set_math_options(options);
}

}  // namespace idml
