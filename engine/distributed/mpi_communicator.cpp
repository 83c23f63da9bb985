// The MPI transport: MPI_COMM_WORLD for CPU tensors and host bytes, through
// lib/libidml_mpi.so (mpi_plugin_api.h), loaded when an MPI launcher started
// the process. CUDA tensors, when NCCL is not built, are staged through host memory.
#include <cstring>

#include "engine/distributed/mpi_plugin_api.h"
#include "engine/distributed/transports.h"
#include "engine/error.h"
#include "engine/plugins.h"

namespace idml::distributed {

namespace {

const MpiPluginApi& mpi_plugin() {
  static const MpiPluginApi* api = [] {
    const Loaded plugin = load_plugin("libidml_mpi.so", SymbolScope::global);
    IDML_CHECK(plugin.error.empty(), "this process was started by an MPI launcher, but MPI cannot be used: ",
               plugin.error, "\n(the plug-in needs the MPI library it was built with, libmpi.so.40 of Open MPI: "
               "load your MPI's module or add its lib folder to LD_LIBRARY_PATH)");
    using Entry = const MpiPluginApi* (*)();
    const auto entry = plugin_function<Entry>(plugin, "idml_mpi_plugin_api");
    const MpiPluginApi* found = entry ? entry() : nullptr;
    IDML_CHECK(found && found->abi == kMpiPluginAbi && std::strcmp(found->build, IDML_PLUGIN_BUILD_ID) == 0,
               plugin.path, " is not the MPI plug-in of this idml (build ", IDML_PLUGIN_BUILD_ID,
               "): rebuild, or unpack the release again");
    return found;
  }();
  return *api;
}

class MpiWorld final : public Communicator {
 public:
  MpiWorld() : mpi_(mpi_plugin()) { mpi_.initialise(rank_, size_, local_rank_, local_size_); }
  ~MpiWorld() override { mpi_.finalise(); }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_rank() const override { return local_rank_; }
  int local_size() const override { return local_size_; }
  std::string transport() const override { return "MPI (" + mpi_.library_version() + ")"; }

  void all_reduce_sum(const Tensor& tensor) override {
    IDML_CHECK(tensor.dtype() == DType::Float32, "all_reduce_sum: expected float32, got ", dtype_name(tensor.dtype()));
    if (!tensor.device().is_cpu()) {
      Tensor host = tensor.to(Device::cpu());
      all_reduce_sum(host);
      tensor.copy_(host);
      return;
    }
    mpi_.all_reduce_sum_float(tensor.data<float>(), static_cast<size_t>(tensor.numel()));
  }

  Tensor all_gather(const Tensor& shard) override {
    if (!shard.device().is_cpu()) return all_gather(shard.to(Device::cpu())).to(shard.device());
    Shape shape = shard.shape();
    IDML_CHECK(!shape.empty(), "all_gather: expected a tensor with a batch dimension, got a scalar");
    shape[0] *= size_;
    Tensor out = empty(shape, shard.dtype(), shard.device());
    mpi_.all_gather_bytes(shard.raw_data(), shard.nbytes(), out.raw_data());
    return out;
  }

  std::vector<std::vector<char>> all_gather_bytes(const std::vector<char>& mine) override {
    return mpi_.all_gather_any(mine);
  }

  void barrier() override { mpi_.barrier(); }

  [[noreturn]] void abort(int exit_code) override {
    mpi_.abort(exit_code);
    std::_Exit(exit_code);  // not reached
  }

 private:
  const MpiPluginApi& mpi_;
  int rank_ = 0, size_ = 1, local_rank_ = 0, local_size_ = 1;
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_world() { return std::make_unique<MpiWorld>(); }

}  // namespace idml::distributed
