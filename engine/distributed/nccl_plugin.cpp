// lib/libidml_nccl.so: NCCL on device buffers (nccl_plugin_api.h).
// Never a hang: a wait polls the stream and ncclCommGetAsyncError, and an
// asynchronous error or a wait past the timeout aborts the communicator and
// throws (the CLI then ends every rank with MPI_Abort).
#include <cuda_runtime.h>
#include <nccl.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "engine/distributed/nccl_plugin_api.h"
#include "engine/error.h"

namespace idml::distributed {

namespace {

void check(ncclResult_t status, const char* call) {
  if (status != ncclSuccess) throw Error(detail::concat(call, ": ", ncclGetErrorString(status)));
}

int version() {
  int v = 0;
  ncclGetVersion(&v);
  return v;
}

std::vector<char> unique_id() {
  ncclUniqueId id;
  check(ncclGetUniqueId(&id), "ncclGetUniqueId");
  std::vector<char> out(sizeof id);
  std::memcpy(out.data(), &id, sizeof id);
  return out;
}

void* init_rank(const std::vector<char>& bytes, int size, int rank) {
  ncclUniqueId id;
  IDML_CHECK(bytes.size() == sizeof id, "NCCL start-up: rank 0 sent ", bytes.size(), " bytes, expected ", sizeof id);
  std::memcpy(&id, bytes.data(), sizeof id);
  ncclComm_t comm = nullptr;
  check(ncclCommInitRank(&comm, size, id, rank), "ncclCommInitRank");
  return comm;
}

void all_reduce_sum_float(void* comm, float* data, size_t count, void* stream) {
  check(ncclAllReduce(data, data, count, ncclFloat32, ncclSum, static_cast<ncclComm_t>(comm),
                      static_cast<cudaStream_t>(stream)),
        "ncclAllReduce");
}

void all_gather_bytes(void* comm, const void* mine, void* all, size_t bytes, void* stream) {
  check(ncclAllGather(mine, all, bytes, ncclInt8, static_cast<ncclComm_t>(comm), static_cast<cudaStream_t>(stream)),
        "ncclAllGather");
}

void await(void* comm_ptr, void* stream_ptr, const char* call, double limit) {
  auto comm = static_cast<ncclComm_t>(comm_ptr);
  auto stream = static_cast<cudaStream_t>(stream_ptr);
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const cudaError_t done = cudaStreamQuery(stream);
    if (done == cudaSuccess) return;
    if (done != cudaErrorNotReady) throw Error(detail::concat(call, ": ", cudaGetErrorString(done)));
    ncclResult_t async_error = ncclSuccess;
    check(ncclCommGetAsyncError(comm, &async_error), "ncclCommGetAsyncError");
    const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (async_error != ncclSuccess || waited > limit) {
      ncclCommAbort(comm);
      throw Error(async_error != ncclSuccess
                      ? detail::concat(call, ": ", ncclGetErrorString(async_error), " (a peer failed?)")
                      : detail::concat(call, ": no progress in ", limit, " s (IDML_NCCL_TIMEOUT); a peer is gone?"));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

const NcclPluginApi kApi = {
    kNcclPluginAbi,
    IDML_PLUGIN_BUILD_ID,
    version,
    unique_id,
    init_rank,
    all_reduce_sum_float,
    all_gather_bytes,
    await,
    [](void* comm) { ncclCommAbort(static_cast<ncclComm_t>(comm)); },
    [](void* comm) { ncclCommDestroy(static_cast<ncclComm_t>(comm)); },
};

}  // namespace

}  // namespace idml::distributed

extern "C" __attribute__((visibility("default"))) const idml::distributed::NcclPluginApi* idml_nccl_plugin_api() {
  return &idml::distributed::kApi;
}
