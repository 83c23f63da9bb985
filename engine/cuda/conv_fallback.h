// The choice among a convolution pass's ranked cuDNN algorithms at run time:
// the first whose workspace the device can give. The fastest algorithm may
// want hundreds of MB of workspace; when a large model leaves no room, a
// slower one with less (implicit GEMM needs none) still runs, where taking
// only the first would fail the step. No CUDA header: CPU tests drive it with
// an allocator that fails (tests/engine/cuda/test_cuda_host_logic.cpp).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "engine/cuda/caching_allocator.h"
#include "engine/error.h"

namespace idml::cuda {

// candidates: ranked, each with a `workspace_bytes`. allocate(bytes) returns a
// workspace or throws DeviceOutOfMemory; run(candidate, workspace) queues the
// pass; release(workspace, bytes) gives the workspace back (also when run
// throws). Returns the index of the candidate that ran; when no workspace
// could be had, throws DeviceOutOfMemory naming every size tried.
template <typename Candidate, typename Allocate, typename Run, typename Release>
size_t run_first_fitting(const std::vector<Candidate>& candidates, Allocate allocate, Run run, Release release) {
  IDML_CHECK(!candidates.empty(), "conv2d (CUDA): cuDNN offers no algorithm for this convolution");
  std::string tried;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const size_t bytes = candidates[i].workspace_bytes;
    void* workspace = nullptr;
    try {
      workspace = allocate(bytes);
    } catch (const DeviceOutOfMemory&) {
      tried += (tried.empty() ? "" : ", ") + std::to_string(bytes);
      continue;
    }
    try {
      run(candidates[i], workspace);
    } catch (...) {
      release(workspace, bytes);
      throw;
    }
    release(workspace, bytes);
    return i;
  }
  throw DeviceOutOfMemory("conv2d (CUDA): out of device memory for the workspace of every algorithm (" + tried +
                          " bytes)");
}

}  // namespace idml::cuda
