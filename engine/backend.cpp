// Dispatch from a device to its backend.
#include "engine/backend.h"

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

}  // namespace idml
