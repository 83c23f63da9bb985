// Device discovery, the per-device backend objects, math options and
// memory statistics.
#include "engine/cuda/cuda_backend.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "engine/cuda/cuda_check.h"
#include "engine/cuda/cuda_device_backend.h"

namespace idml::cuda {

namespace {

struct DeviceInfo {
  int count = 0;
  std::string reason;
};

const DeviceInfo& device_info() {
  static const DeviceInfo info = [] {
    DeviceInfo d;
    const cudaError_t status = cudaGetDeviceCount(&d.count);
    if (status != cudaSuccess) {
      cudaGetLastError();  // leave no sticky error behind
      d.count = 0;
      d.reason = std::string("cudaGetDeviceCount: ") + cudaGetErrorString(status);
    } else if (d.count == 0) {
      d.reason = "cudaGetDeviceCount reports 0 devices";
    }
    return d;
  }();
  return info;
}

MathOptions options_from_environment() {
  MathOptions options;  // PyTorch's defaults: conv TF32 on, GEMM TF32 off
  if (const char* v = std::getenv("IDML_TF32")) {
    if (std::strcmp(v, "0") == 0) options = {false, false};
    else if (std::strcmp(v, "1") == 0) options = {true, true};
    else throw Error(std::string("IDML_TF32 must be 0 or 1, got '") + v + "'");
  }
  return options;
}

std::mutex& options_mutex() {
  static std::mutex m;
  return m;
}

MathOptions& current_options() {
  static MathOptions options = options_from_environment();
  return options;
}

}  // namespace

int device_count() { return device_info().count; }

std::string unavailable_reason() { return device_info().reason; }

Backend& backend_for_device(int index) {
  const DeviceInfo& info = device_info();
  IDML_CHECK(info.count > 0, "device cuda:", index, " requested, but no CUDA device is available (", info.reason,
             ")");
  IDML_CHECK(index >= 0 && index < info.count, "device cuda:", index, " requested, but only ", info.count,
             " CUDA device(s) exist");
  static std::mutex mutex;
  // Leaked on purpose: tensors destroyed during static destruction still
  // return their memory to a live allocator.
  static std::vector<CudaBackend*> backends(info.count, nullptr);
  std::lock_guard<std::mutex> lock(mutex);
  if (!backends[index]) backends[index] = new CudaBackend(index);
  return *backends[index];
}

MathOptions math_options() {
  std::lock_guard<std::mutex> lock(options_mutex());
  return current_options();
}

void set_math_options(const MathOptions& options) {
  std::lock_guard<std::mutex> lock(options_mutex());
  current_options() = options;
}

MemoryStats memory_stats(int device_index) {
  auto& backend = static_cast<CudaBackend&>(backend_for_device(device_index));
  return {backend.allocator().allocated_bytes(), backend.allocator().cached_bytes(),
          backend.allocator().device_mallocs()};
}

void empty_cache(int device_index) {
  static_cast<CudaBackend&>(backend_for_device(device_index)).allocator().release_cached();
}

DeviceGuard::DeviceGuard(int device) : device_(device) {
  IDML_CUDA_CHECK(cudaGetDevice(&previous_));
  if (previous_ != device_) IDML_CUDA_CHECK(cudaSetDevice(device_));
}

DeviceGuard::~DeviceGuard() {
  if (previous_ >= 0 && previous_ != device_) cudaSetDevice(previous_);  // no throw in a destructor
}

CudaBackend::CudaBackend(int device) : device_(device), allocator_(device) {
  DeviceGuard guard(device);
  IDML_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  IDML_CUBLAS_CHECK(cublasCreate(&cublas_));
  IDML_CUBLAS_CHECK(cublasSetStream(cublas_, stream_));
  IDML_CUDNN_CHECK(cudnnCreate(&cudnn_));
  IDML_CUDNN_CHECK(cudnnSetStream(cudnn_, stream_));
}

}  // namespace idml::cuda
