// Status checks for CUDA runtime, cuBLAS and cuDNN calls: a failed call
// throws idml::Error naming the call, its error string, the file and line.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <string>

#include "engine/error.h"

namespace idml::cuda {

[[noreturn]] inline void throw_status(const char* library, const char* call, const std::string& status,
                                      const char* file, int line) {
  throw Error(detail::concat("CUDA backend: ", library, " call ", call, " failed: ", status, " (", file, ":", line,
                             ")"));
}

inline std::string cublas_status_text(cublasStatus_t s) {
  return std::string(cublasGetStatusName(s)) + " - " + cublasGetStatusString(s);
}

}  // namespace idml::cuda

#define IDML_CUDA_CHECK(call)                                                                       \
  do {                                                                                              \
    const cudaError_t idml_status = (call);                                                         \
    if (idml_status != cudaSuccess)                                                                 \
      ::idml::cuda::throw_status("CUDA", #call, cudaGetErrorString(idml_status), __FILE__, __LINE__); \
  } while (0)

#define IDML_CUBLAS_CHECK(call)                                                                               \
  do {                                                                                                        \
    const cublasStatus_t idml_status = (call);                                                                \
    if (idml_status != CUBLAS_STATUS_SUCCESS)                                                                 \
      ::idml::cuda::throw_status("cuBLAS", #call, ::idml::cuda::cublas_status_text(idml_status), __FILE__, __LINE__); \
  } while (0)

#define IDML_CUDNN_CHECK(call)                                                                      \
  do {                                                                                              \
    const cudnnStatus_t idml_status = (call);                                                       \
    if (idml_status != CUDNN_STATUS_SUCCESS)                                                        \
      ::idml::cuda::throw_status("cuDNN", #call, cudnnGetErrorString(idml_status), __FILE__, __LINE__); \
  } while (0)

// After a kernel launch: reports bad launch configurations at the launch site.
#define IDML_CUDA_CHECK_LAUNCH() IDML_CUDA_CHECK(cudaGetLastError())
