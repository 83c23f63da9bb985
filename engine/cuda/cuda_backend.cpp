// The plug-in's side of engine/cuda/plugin_api.h: device discovery, the
// per-device backend objects, math options, memory statistics, what doctor
// reports, and the CudaBackend set-up (its stream and cuBLAS handle; the cuDNN
// handle comes with the first convolution).
#include <cublas_v2.h>
#include <cudnn.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>

#include "engine/cuda/cuda_check.h"
#include "engine/cuda/cuda_device_backend.h"
#include "engine/cuda/plugin_api.h"

namespace idml::cuda {

namespace {

// Every object here lives for the whole process and is never destroyed:
// tensors freed during static destruction (and the CUDA runtime's own exit
// handlers) must still find the backends, their allocators and the reason.
struct DeviceInfo {
  int count = 0;
  std::string reason;
};

const DeviceInfo& device_info() {
  static const DeviceInfo* info = [] {
    auto* d = new DeviceInfo;
    const cudaError_t status = cudaGetDeviceCount(&d->count);
    if (status != cudaSuccess) {
      cudaGetLastError();  // leave no sticky error behind
      d->count = 0;
      d->reason = std::string("cudaGetDeviceCount: ") + cudaGetErrorString(status);
    } else if (d->count == 0) {
      d->reason = "cudaGetDeviceCount reports 0 devices";
    }
    return d;
  }();
  return *info;
}

constexpr int kMaxDevices = 64;
std::mutex& backends_mutex() {
  static auto* m = new std::mutex;
  return *m;
}
std::array<std::atomic<CudaBackend*>, kMaxDevices>& backends() {
  static auto* table = new std::array<std::atomic<CudaBackend*>, kMaxDevices>{};
  return *table;
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
  static auto* m = new std::mutex;
  return *m;
}

MathOptions& options_storage() {
  static auto* options = new MathOptions(options_from_environment());
  return *options;
}

int checked_count() {
  const DeviceInfo& info = device_info();
  IDML_CHECK(info.count > 0, "no CUDA device is available (", info.reason, ")");
  return info.count;
}

Backend& backend_for(int index) {
  const DeviceInfo& info = device_info();
  IDML_CHECK(info.count > 0, "device cuda:", index, " requested, but no CUDA device is available (", info.reason,
             ")");
  IDML_CHECK(index >= 0 && index < info.count && index < kMaxDevices, "device cuda:", index, " requested, but only ",
             info.count, " CUDA device(s) are visible");
  if (CudaBackend* ready = backends()[index].load(std::memory_order_acquire)) return *ready;
  std::lock_guard<std::mutex> lock(backends_mutex());
  CudaBackend* backend = backends()[index].load(std::memory_order_relaxed);
  if (!backend) {
    backend = new CudaBackend(index);  // throws without publishing anything; the constructor frees what it made
    backends()[index].store(backend, std::memory_order_release);
  }
  return *backend;
}

CudaBackend& cuda_backend(int index) { return static_cast<CudaBackend&>(backend_for(index)); }

MemoryStats stats_of(int index) {
  CachingAllocator& a = cuda_backend(index).allocator();
  return {a.allocated_bytes(), a.cached_bytes(), a.device_mallocs(), a.peak_allocated_bytes()};
}

// "580.159.04" from the kernel module's banner, "" without one.
std::string driver_version_text() {
  std::ifstream in("/proc/driver/nvidia/version");
  std::string line;
  if (!std::getline(in, line)) return "";
  const size_t kernel = line.find("Kernel Module");
  if (kernel == std::string::npos) return "";
  size_t begin = line.find_first_of("0123456789", kernel);
  if (begin == std::string::npos) return "";
  const size_t end = line.find_first_not_of("0123456789.", begin);
  return line.substr(begin, end - begin);
}

void fill_report(RuntimeReport& report) {
  cudaRuntimeGetVersion(&report.runtime_version);
  cudaDriverGetVersion(&report.driver_cuda_version);
  cudaGetLastError();
  report.driver_version = driver_version_text();
  report.cudnn_version = cudnnGetVersion();
  int cublas = 0;
  if (cublasGetProperty(MAJOR_VERSION, &cublas) == CUBLAS_STATUS_SUCCESS) {
    int minor = 0, patch = 0;
    cublasGetProperty(MINOR_VERSION, &minor);
    cublasGetProperty(PATCH_LEVEL, &patch);
    report.cublas_version = cublas * 10000 + minor * 100 + patch;
  }
  report.reason = device_info().reason;
  for (int i = 0; i < device_info().count; ++i) {
    cudaDeviceProp p{};
    if (cudaGetDeviceProperties(&p, i) != cudaSuccess) {
      cudaGetLastError();
      continue;
    }
    GpuInfo gpu;
    gpu.index = i;
    gpu.name = p.name;
    gpu.total_bytes = p.totalGlobalMem;
    gpu.major = p.major;
    gpu.minor = p.minor;
    gpu.multiprocessors = p.multiProcessorCount;
    char bus[32] = {0};
    if (cudaDeviceGetPCIBusId(bus, sizeof bus, i) == cudaSuccess) gpu.pci_bus_id = bus;
    size_t free_bytes = 0, total = 0;  // a report never throws: what fails stays 0
    if (cudaSetDevice(i) == cudaSuccess && cudaMemGetInfo(&free_bytes, &total) == cudaSuccess)
      gpu.free_bytes = free_bytes;
    cudaGetLastError();
    report.gpus.push_back(gpu);
  }
}

const PluginApi kApi = {
    kPluginAbi,
    IDML_PLUGIN_BUILD_ID,
    [] { return device_info().count; },
    [] { return device_info().reason.c_str(); },
    backend_for,
    current_math_options,
    [](const MathOptions& options) {
      std::lock_guard<std::mutex> lock(options_mutex());
      options_storage() = options;
    },
    cudnn_benchmark_mode,
    stats_of,
    [](int index) { cuda_backend(index).allocator().release_cached(); },
    [](int index) -> void* { return cuda_backend(index).stream(); },
    [](int index) {
      checked_count();
      make_current_device(index);
    },
    fill_report,
};

}  // namespace

MathOptions current_math_options() {
  std::lock_guard<std::mutex> lock(options_mutex());
  return options_storage();
}

// The current device is per thread and set only when it differs: restoring a
// previous device would make cudaSetDevice create a context on it (cuda:0 in
// every process), and a process works on one device (its rank's) anyway.
void make_current_device(int device) {
  int current = -1;
  IDML_CUDA_CHECK(cudaGetDevice(&current));
  if (current != device) IDML_CUDA_CHECK(cudaSetDevice(device));
}

CudaBackend::CudaBackend(int device) : device_(device), allocator_(device) {
  make_current_device(device);
  IDML_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  const cublasStatus_t status = cublasCreate(&cublas_);
  if (status == CUBLAS_STATUS_SUCCESS && cublasSetStream(cublas_, stream_) == CUBLAS_STATUS_SUCCESS) return;
  // Nothing half-made stays behind: the next use tries again from scratch.
  if (cublas_) cublasDestroy(cublas_);
  cudaStreamDestroy(stream_);
  throw_status("cuBLAS", "cublasCreate", cublas_status_text(status), __FILE__, __LINE__);
}

cudnnHandle_t CudaBackend::cudnn() {
  std::lock_guard<std::mutex> lock(cudnn_mutex_);
  if (!cudnn_) {
    // On first convolution: a cuDNN that cannot load its sub-libraries breaks
    // convolutions only, and a failed attempt leaves no handle behind.
    cudnnHandle_t handle = nullptr;
    IDML_CUDNN_CHECK(cudnnCreate(&handle));
    const cudnnStatus_t status = cudnnSetStream(handle, stream_);
    if (status != CUDNN_STATUS_SUCCESS) {
      cudnnDestroy(handle);
      throw_status("cuDNN", "cudnnSetStream", cudnnGetErrorString(status), __FILE__, __LINE__);
    }
    cudnn_ = handle;
  }
  return cudnn_;
}

}  // namespace idml::cuda

extern "C" __attribute__((visibility("default"))) const idml::cuda::PluginApi* idml_cuda_plugin_api() {
  return &idml::cuda::kApi;
}
