// The NCCL transport: CUDA tensors are reduced and gathered by NCCL on the
// stream of their device (the backend's one stream, so the collective is
// ordered after the kernels that produced the tensor). Host bytes and CPU
// tensors go through the MPI communicator, which also broadcasts rank 0's
// ncclUniqueId when a rank first uses its GPU.
//
// Never a hang: each collective is awaited by polling the stream and
// ncclCommGetAsyncError; an asynchronous error or a wait past the timeout
// (IDML_NCCL_TIMEOUT seconds, default 300) aborts the NCCL communicator and
// throws, and the CLI then ends every rank with MPI_Abort.
#include <cuda_runtime.h>
#include <nccl.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "engine/cuda/cuda_backend.h"
#include "engine/cuda/cuda_device_backend.h"
#include "engine/distributed/transports.h"
#include "engine/error.h"

namespace idml::distributed {

namespace {

void check(ncclResult_t status, const char* call) {
  if (status != ncclSuccess) throw Error(detail::concat(call, ": ", ncclGetErrorString(status)));
}

double timeout_seconds() {
  const char* value = std::getenv("IDML_NCCL_TIMEOUT");
  return value != nullptr && std::atof(value) > 0 ? std::atof(value) : 300.0;
}

ncclDataType_t nccl_type(DType dtype) {
  switch (dtype) {
    case DType::Float32: return ncclFloat32;
    case DType::Float64: return ncclFloat64;
    case DType::Int64: return ncclInt64;
    default: throw Error(detail::concat("NCCL: unsupported dtype ", dtype_name(dtype)));
  }
}

class NcclCommunicator final : public Communicator {
 public:
  explicit NcclCommunicator(std::unique_ptr<Communicator> host) : host_(std::move(host)) {}
  ~NcclCommunicator() override {
    if (comm_ != nullptr) ncclCommDestroy(comm_);
  }

  int rank() const override { return host_->rank(); }
  int size() const override { return host_->size(); }
  int local_rank() const override { return host_->local_rank(); }
  int local_size() const override { return host_->local_size(); }
  std::string transport() const override {
    return host_->transport() + " + NCCL " + std::to_string(NCCL_MAJOR) + "." + std::to_string(NCCL_MINOR);
  }

  void all_reduce_sum(const Tensor& tensor) override {
    if (!tensor.device().is_cuda()) return host_->all_reduce_sum(tensor);
    IDML_CHECK(tensor.dtype() == DType::Float32, "all_reduce_sum: expected float32, got ", dtype_name(tensor.dtype()));
    cudaStream_t stream = stream_for(tensor.device().index);
    check(ncclAllReduce(tensor.raw_data(), tensor.raw_data(), static_cast<size_t>(tensor.numel()), ncclFloat32,
                        ncclSum, comm_, stream),
          "ncclAllReduce");
    await(stream, "ncclAllReduce");
  }

  Tensor all_gather(const Tensor& shard) override {
    if (!shard.device().is_cuda()) return host_->all_gather(shard);
    Shape shape = shard.shape();
    IDML_CHECK(!shape.empty(), "all_gather: expected a tensor with a batch dimension, got a scalar");
    shape[0] *= size();
    Tensor out = empty(shape, shard.dtype(), shard.device());
    cudaStream_t stream = stream_for(shard.device().index);
    check(ncclAllGather(shard.raw_data(), out.raw_data(), static_cast<size_t>(shard.numel()), nccl_type(shard.dtype()),
                        comm_, stream),
          "ncclAllGather");
    await(stream, "ncclAllGather");
    return out;
  }

  std::vector<std::vector<char>> all_gather_bytes(const std::vector<char>& mine) override {
    return host_->all_gather_bytes(mine);
  }
  void barrier() override { host_->barrier(); }
  [[noreturn]] void abort(int exit_code) override {
    if (comm_ != nullptr) ncclCommAbort(comm_);
    comm_ = nullptr;
    host_->abort(exit_code);
    std::_Exit(exit_code);  // not reached: MPI_Abort ends the job
  }

 private:
  // The stream of `device`; the NCCL communicator is created on first use
  // (every rank reaches its first CUDA collective at the same step).
  cudaStream_t stream_for(int device) {
    if (comm_ == nullptr) {
      ncclUniqueId id;
      if (rank() == 0) check(ncclGetUniqueId(&id), "ncclGetUniqueId");
      std::vector<char> mine(rank() == 0 ? sizeof id : 0);
      if (rank() == 0) std::memcpy(mine.data(), &id, sizeof id);
      const std::vector<char> root = host_->all_gather_bytes(mine)[0];
      IDML_CHECK(root.size() == sizeof id, "NCCL start-up: rank 0 sent ", root.size(), " bytes, expected ", sizeof id);
      std::memcpy(&id, root.data(), sizeof id);
      cuda::DeviceGuard guard(device);
      check(ncclCommInitRank(&comm_, size(), id, rank()), "ncclCommInitRank");
      device_ = device;
    }
    IDML_CHECK(device == device_, "NCCL: this rank's communicator is on cuda:", device_, ", got a tensor on cuda:",
               device);
    return static_cast<cuda::CudaBackend&>(cuda::backend_for_device(device)).stream();
  }

  void await(cudaStream_t stream, const char* call) {
    const auto start = std::chrono::steady_clock::now();
    const double limit = timeout_seconds();
    for (;;) {
      const cudaError_t done = cudaStreamQuery(stream);
      if (done == cudaSuccess) return;
      if (done != cudaErrorNotReady) throw Error(detail::concat(call, ": ", cudaGetErrorString(done)));
      ncclResult_t async_error = ncclSuccess;
      check(ncclCommGetAsyncError(comm_, &async_error), "ncclCommGetAsyncError");
      const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (async_error != ncclSuccess || waited > limit) {
        ncclCommAbort(comm_);
        comm_ = nullptr;
        throw Error(async_error != ncclSuccess
                        ? detail::concat(call, ": ", ncclGetErrorString(async_error), " (a peer failed?)")
                        : detail::concat(call, ": no progress in ", limit, " s (IDML_NCCL_TIMEOUT); a peer is gone?"));
      }
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }

  std::unique_ptr<Communicator> host_;
  ncclComm_t comm_ = nullptr;
  int device_ = -1;
};

}  // namespace

std::unique_ptr<Communicator> make_nccl_communicator(std::unique_ptr<Communicator> host) {
  return std::make_unique<NcclCommunicator>(std::move(host));
}

}  // namespace idml::distributed
