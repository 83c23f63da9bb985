// Dispatch from a device to its backend, and the CUDA queries of accelerator.h.
#include "engine/backend.h"

#include "engine/accelerator.h"
#include "engine/cpu/cpu_backend.h"
#include "engine/error.h"
#ifdef IDML_WITH_CUDA
#include "engine/cuda/cuda_backend.h"
#endif

namespace idml {

Backend& backend_for(Device device) {
  if (device.is_cpu()) {
    // Never destroyed: tensors with static lifetime may free memory after main.
    static cpu::CpuBackend* cpu_backend = new cpu::CpuBackend;
    return *cpu_backend;
  }
#ifdef IDML_WITH_CUDA
  return cuda::backend_for_device(device.index);
#else
  throw Error("device " + device.str() +
              " requested, but this idml was built without the CUDA backend (configure with -DIDML_CUDA=ON)");
#endif
}

bool cuda_available() {
#ifdef IDML_WITH_CUDA
  return cuda::device_count() > 0;
#else
  return false;
#endif
}

int cuda_device_count() {
#ifdef IDML_WITH_CUDA
  return cuda::device_count();
#else
  return 0;
#endif
}

std::string cuda_unavailable_reason() {
  if (cuda_available()) return "";
#ifdef IDML_WITH_CUDA
  return "no GPU found or the driver is missing";
#else
  return "this idml was built without the CUDA backend";
#endif
}

ExactFloat32Gemms::ExactFloat32Gemms() {
#ifdef IDML_WITH_CUDA
  cuda::MathOptions options = cuda::math_options();
  if (!options.tf32_gemm) return;
  options.tf32_gemm = false;
  cuda::set_math_options(options);
  restore_tf32_ = true;
#endif
}

ExactFloat32Gemms::~ExactFloat32Gemms() {
#ifdef IDML_WITH_CUDA
  if (!restore_tf32_) return;
  cuda::MathOptions options = cuda::math_options();
  options.tf32_gemm = true;
  cuda::set_math_options(options);
#endif
}

}  // namespace idml
