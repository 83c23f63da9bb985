// Public face of the CUDA backend: the device count, the backend object of
// each device (used by engine/backend.cpp's dispatch), the TF32 switches,
// memory statistics and what `idml doctor` reports. No CUDA header is
// included here, so any C++ file may include it.
//
// The backend itself is a plug-in, lib/libidml_cuda.so, loaded on first use by
// engine/cuda/loader.cpp together with the CUDA libraries it needs (found in
// the order of engine/cuda/library_search.h). So a binary built with CUDA
// starts on any machine; without the libraries, a driver or a GPU,
// device_count() is 0 and unavailable_reason() says exactly why.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "engine/backend.h"

namespace idml::cuda {

// Number of usable CUDA devices; 0 when the plug-in or a CUDA library cannot
// be loaded or the runtime reports an error: "no GPU" is never an exception.
int device_count();
// Why device_count() is 0, in the words of whatever failed ("cudaGetDeviceCount:
// CUDA driver version is insufficient for CUDA runtime version", "libcudnn.so.9
// not found in: ..."), or "" when devices are present.
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
// Whether cuDNN's algorithms are timed once per convolution shape
// (IDML_CUDNN_BENCHMARK unset or 1) or ranked by its heuristics (0); read once.
// Throws idml::Error when there is no GPU.
bool cudnn_benchmark_mode();

// Bytes held by live tensors / kept in the caching allocator's free lists.
struct MemoryStats {
  size_t allocated_bytes = 0;
  size_t cached_bytes = 0;
  size_t device_mallocs = 0;  // cudaMalloc calls so far (flat in steady state)
  size_t peak_allocated_bytes = 0;  // the most allocated_bytes has been
};
MemoryStats memory_stats(int device_index);
// Returns the cached, unused blocks of a device to the driver.
void empty_cache(int device_index);

// The device's one stream (a cudaStream_t), on which all its work is queued,
// and making the device current on the calling thread: for the NCCL transport.
void* native_stream(int device_index);
void make_current(int device_index);

// What `idml doctor` prints.
struct LoadedLibrary {
  std::string soname;  // "libcudnn.so.9"
  std::string path;    // where it was loaded from ("" when not found)
  std::string origin;  // which entry of the search order held it ("CUDA_HOME", ...)
};
struct GpuInfo {
  int index = 0;
  std::string name;
  size_t total_bytes = 0, free_bytes = 0;
  int major = 0, minor = 0;  // compute capability
  int multiprocessors = 0;
  std::string pci_bus_id;
};
struct RuntimeReport {
  bool built = false;                // this binary has the CUDA backend
  std::string built_for;             // "CUDA 13.0, cuDNN 9.13.0, archs 90-real;90-virtual"
  std::vector<std::string> search;   // the folders searched, in order, with their origin
  std::vector<LoadedLibrary> libraries;
  std::string plugin_path;           // lib/libidml_cuda.so as loaded
  int runtime_version = 0;           // cudaRuntimeGetVersion (13000 = 13.0)
  int driver_cuda_version = 0;       // cudaDriverGetVersion: the newest CUDA the driver supports
  std::string driver_version;        // /proc/driver/nvidia/version ("580.159.04"), "" when absent
  size_t cudnn_version = 0;          // cudnnGetVersion
  int cublas_version = 0;            // cublasGetVersion
  std::vector<GpuInfo> gpus;
  std::string reason;                // unavailable_reason()
};
RuntimeReport runtime_report();

}  // namespace idml::cuda
