// The entry points lib/libidml_nccl.so hands to the engine's NCCL transport
// (nccl_communicator.cpp): NCCL on device buffers and the device's stream,
// nothing of tensors. Loaded, with libnccl.so.2 found in the order of
// engine/cuda/library_search.h, at a rank's first collective on a CUDA tensor.
#pragma once

#include <cstddef>
#include <vector>

namespace idml::distributed {

constexpr int kNcclPluginAbi = 1;

struct NcclPluginApi {
  int abi;            // kNcclPluginAbi
  const char* build;  // IDML_PLUGIN_BUILD_ID
  int (*version)();   // ncclGetVersion: 22703 = 2.27.3
  std::vector<char> (*unique_id)();  // rank 0's ncclUniqueId, as bytes
  // ncclCommInitRank on the current device; returns the ncclComm_t.
  void* (*init_rank)(const std::vector<char>& id, int size, int rank);
  void (*all_reduce_sum_float)(void* comm, float* data, size_t count, void* stream);
  void (*all_gather_bytes)(void* comm, const void* mine, void* all, size_t bytes, void* stream);
  // Returns when the stream's queued work is done; throws idml::Error on an
  // asynchronous NCCL error or after `timeout_seconds` without progress
  // (the communicator is aborted first).
  void (*await)(void* comm, void* stream, const char* call, double timeout_seconds);
  void (*abort)(void* comm);    // ncclCommAbort
  void (*destroy)(void* comm);  // ncclCommDestroy
};

}  // namespace idml::distributed

extern "C" const idml::distributed::NcclPluginApi* idml_nccl_plugin_api();
