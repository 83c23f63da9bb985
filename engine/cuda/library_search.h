// Where the CUDA libraries (runtime, cuBLAS, cuDNN, NCCL) are looked for at
// run time, in this order; the first folder from which a library loads is used
// (engine/cuda/loader.cpp):
//   1. IDML_CUDA_LIBS: folders separated by ':' (set it to choose);
//   2. CUDA_HOME (also CUDA_PATH): its lib64/ and lib/;
//   3. the standard install: /usr/local/cuda/lib64, /usr/local/cuda/lib, then
//      the dynamic loader's own search (LD_LIBRARY_PATH, ldconfig's cache);
//   4. the nvidia/*/lib folders of the Python packages of an installed PyTorch
//      (site-packages holding torch/ beside nvidia/, as pip installs
//      torch with CUDA): those of each python3 on PATH, VIRTUAL_ENV,
//      CONDA_PREFIX, ~/.local and /usr/local. Found by looking at folders;
//      Python is never run.
// Pure logic over an environment and the file system, so the CPU tests check
// the order (tests/engine/cuda/test_cuda_host_logic.cpp).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace idml::cuda {

struct LibraryFolder {
  std::string path;
  std::string origin;  // "IDML_CUDA_LIBS", "CUDA_HOME", "standard install", "PyTorch (<site-packages>)"
};

// Stands for the dynamic loader's own search in the list (step 3).
constexpr const char* kLoaderSearch = "<the dynamic loader's search: LD_LIBRARY_PATH, ldconfig>";

using Environment = std::function<const char*(const char* name)>;  // getenv, or a test's table

// The folders of steps 1-4 that exist, in order, each once (and kLoaderSearch in its place).
std::vector<LibraryFolder> cuda_library_folders(const Environment& env);

}  // namespace idml::cuda
