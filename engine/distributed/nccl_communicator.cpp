// The NCCL transport: CUDA tensors are reduced and gathered by NCCL on the
// stream of their device (the backend's one stream, so the collective is
// ordered after the kernels that produced the tensor). Host bytes and CPU
// tensors go through the MPI communicator, which also broadcasts rank 0's
// ncclUniqueId when a rank first uses its GPU. NCCL itself is
// lib/libidml_nccl.so (nccl_plugin_api.h) with libnccl.so.2, loaded then.
//
// The communicator is destroyed by shutdown_world(), before main returns, or
// by the exit handler registered when it is made, which runs before the CUDA
// runtime's own (registered earlier): destroyed after it, a finished run hung
// or crashed at exit.
#include <cstdlib>
#include <cstring>

#include "engine/cuda/cuda_backend.h"
#include "engine/cuda/library_search.h"
#include "engine/distributed/nccl_plugin_api.h"
#include "engine/distributed/transports.h"
#include "engine/error.h"
#include "engine/plugins.h"

namespace idml::distributed {

namespace {

double timeout_seconds() {
  const char* value = std::getenv("IDML_NCCL_TIMEOUT");
  return value != nullptr && std::atof(value) > 0 ? std::atof(value) : 300.0;
}

const NcclPluginApi& nccl_plugin() {
  static const NcclPluginApi* api = [] {
    const Loaded library = load_library(
        IDML_NCCL_SONAME, cuda::cuda_library_folders([](const char* name) { return std::getenv(name); }));
    IDML_CHECK(library.error.empty(), "NCCL (for CUDA tensors on several ranks): ", library.error);
    const Loaded plugin = load_plugin("libidml_nccl.so");
    IDML_CHECK(plugin.error.empty(), plugin.error);
    using Entry = const NcclPluginApi* (*)();
    const auto entry = plugin_function<Entry>(plugin, "idml_nccl_plugin_api");
    const NcclPluginApi* found = entry ? entry() : nullptr;
    IDML_CHECK(found && found->abi == kNcclPluginAbi && std::strcmp(found->build, IDML_PLUGIN_BUILD_ID) == 0,
               plugin.path, " is not the NCCL plug-in of this idml: rebuild, or unpack the release again");
    return found;
  }();
  return *api;
}

class NcclCommunicator final : public Communicator {
 public:
  explicit NcclCommunicator(std::unique_ptr<Communicator> host) : host_(std::move(host)) {}
  ~NcclCommunicator() override {
    if (comm_ != nullptr) nccl_plugin().destroy(comm_);
  }

  int rank() const override { return host_->rank(); }
  int size() const override { return host_->size(); }
  int local_rank() const override { return host_->local_rank(); }
  int local_size() const override { return host_->local_size(); }
  std::string transport() const override {
    if (comm_ == nullptr) return host_->transport() + " + NCCL (at the first collective on a GPU)";
    const int v = nccl_plugin().version();
    return host_->transport() + " + NCCL " + std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." +
           std::to_string(v % 100);
  }

  void all_reduce_sum(const Tensor& tensor) override {
    if (!tensor.device().is_cuda()) return host_->all_reduce_sum(tensor);
    IDML_CHECK(tensor.dtype() == DType::Float32, "all_reduce_sum: expected float32, got ", dtype_name(tensor.dtype()));
    void* stream = stream_for(tensor.device().index);
    nccl_plugin().all_reduce_sum_float(comm_, tensor.data<float>(), static_cast<size_t>(tensor.numel()), stream);
    await(stream, "ncclAllReduce");
  }

  Tensor all_gather(const Tensor& shard) override {
    if (!shard.device().is_cuda()) return host_->all_gather(shard);
    Shape shape = shard.shape();
    IDML_CHECK(!shape.empty(), "all_gather: expected a tensor with a batch dimension, got a scalar");
    shape[0] *= size();
    Tensor out = empty(shape, shard.dtype(), shard.device());
    void* stream = stream_for(shard.device().index);
    nccl_plugin().all_gather_bytes(comm_, shard.raw_data(), out.raw_data(), shard.nbytes(), stream);
    await(stream, "ncclAllGather");
    return out;
  }

  std::vector<std::vector<char>> all_gather_bytes(const std::vector<char>& mine) override {
    return host_->all_gather_bytes(mine);
  }
  void barrier() override { host_->barrier(); }
  [[noreturn]] void abort(int exit_code) override {
    if (comm_ != nullptr) nccl_plugin().abort(comm_);
    comm_ = nullptr;
    host_->abort(exit_code);
    std::_Exit(exit_code);  // not reached: MPI_Abort ends the job
  }

 private:
  // The stream of `device`; the NCCL communicator is made on first use
  // (every rank reaches its first CUDA collective at the same step).
  void* stream_for(int device) {
    if (comm_ == nullptr) {
      const NcclPluginApi& nccl = nccl_plugin();
      const std::vector<char> mine = rank() == 0 ? nccl.unique_id() : std::vector<char>{};
      const std::vector<char> root = host_->all_gather_bytes(mine)[0];
      cuda::make_current(device);
      comm_ = nccl.init_rank(root, size(), rank());
      device_ = device;
      shut_down_at_exit();  // after the CUDA runtime's exit handler, so it runs before it
    }
    IDML_CHECK(device == device_, "NCCL: this rank's communicator is on cuda:", device_, ", got a tensor on cuda:",
               device);
    return cuda::native_stream(device);
  }

  void await(void* stream, const char* call) {
    try {
      nccl_plugin().await(comm_, stream, call, timeout_seconds());
    } catch (const Error&) {
      comm_ = nullptr;  // aborted by the plug-in
      throw;
    }
  }

  std::unique_ptr<Communicator> host_;
  void* comm_ = nullptr;  // ncclComm_t
  int device_ = -1;
};

}  // namespace

std::unique_ptr<Communicator> make_nccl_communicator(std::unique_ptr<Communicator> host) {
  return std::make_unique<NcclCommunicator>(std::move(host));
}

}  // namespace idml::distributed
