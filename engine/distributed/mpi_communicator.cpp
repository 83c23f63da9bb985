// The MPI transport: MPI_COMM_WORLD for CPU tensors and host bytes. CUDA
// tensors, when NCCL is not built, are staged through host memory.
// Errors stay MPI_ERRORS_ARE_FATAL: a lost peer ends every rank, never a hang.
#include <mpi.h>

#include <cstring>

#include "engine/distributed/transports.h"
#include "engine/error.h"

namespace idml::distributed {

namespace {

void check(int status, const char* call) {
  if (status == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(status, text, &length);
  throw Error(detail::concat(call, ": ", std::string(text, length)));
}

class MpiWorld final : public Communicator {
 public:
  MpiWorld() {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised) {
      int provided = 0;
      check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
      owns_mpi_ = true;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    // The ranks that share this machine's memory: one GPU each.
    check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local_),
          "MPI_Comm_split_type");
    MPI_Comm_rank(local_, &local_rank_);
    MPI_Comm_size(local_, &local_size_);
  }
  ~MpiWorld() override {
    int finalised = 0;
    MPI_Finalized(&finalised);
    if (finalised) return;
    MPI_Comm_free(&local_);
    if (owns_mpi_) MPI_Finalize();
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_rank() const override { return local_rank_; }
  int local_size() const override { return local_size_; }
  std::string transport() const override { return "MPI"; }

  void all_reduce_sum(const Tensor& tensor) override {
    IDML_CHECK(tensor.dtype() == DType::Float32, "all_reduce_sum: expected float32, got ", dtype_name(tensor.dtype()));
    if (!tensor.device().is_cpu()) {
      Tensor host = tensor.to(Device::cpu());
      all_reduce_sum(host);
      tensor.copy_(host);
      return;
    }
    check(MPI_Allreduce(MPI_IN_PLACE, tensor.raw_data(), count(tensor.numel()), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD),
          "MPI_Allreduce");
  }

  Tensor all_gather(const Tensor& shard) override {
    if (!shard.device().is_cpu()) return all_gather(shard.to(Device::cpu())).to(shard.device());
    Shape shape = shard.shape();
    IDML_CHECK(!shape.empty(), "all_gather: expected a tensor with a batch dimension, got a scalar");
    shape[0] *= size_;
    Tensor out = empty(shape, shard.dtype(), shard.device());
    check(MPI_Allgather(shard.raw_data(), count(shard.nbytes()), MPI_BYTE, out.raw_data(), count(shard.nbytes()),
                        MPI_BYTE, MPI_COMM_WORLD),
          "MPI_Allgather");
    return out;
  }

  std::vector<std::vector<char>> all_gather_bytes(const std::vector<char>& mine) override {
    std::vector<int> counts(size_), offsets(size_);
    const int my_count = count(mine.size());
    check(MPI_Allgather(&my_count, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD), "MPI_Allgather");
    size_t total = 0;
    for (int r = 0; r < size_; ++r) {
      offsets[r] = count(total);
      total += static_cast<size_t>(counts[r]);
    }
    std::vector<char> all(total);
    check(MPI_Allgatherv(mine.data(), my_count, MPI_BYTE, all.data(), counts.data(), offsets.data(), MPI_BYTE,
                         MPI_COMM_WORLD),
          "MPI_Allgatherv");
    std::vector<std::vector<char>> out(size_);
    for (int r = 0; r < size_; ++r) out[r].assign(all.begin() + offsets[r], all.begin() + offsets[r] + counts[r]);
    return out;
  }

  void barrier() override { check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

  [[noreturn]] void abort(int exit_code) override {
    MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::_Exit(exit_code);  // MPI_Abort does not return; in case an implementation does
  }

 private:
  static int count(size_t n) {
    IDML_CHECK(n <= static_cast<size_t>(INT32_MAX), "MPI message of ", n, " elements is over the 2^31 limit");
    return static_cast<int>(n);
  }
  static int count(int64_t n) { return count(static_cast<size_t>(n)); }

  int rank_ = 0, size_ = 1, local_rank_ = 0, local_size_ = 1;
  bool owns_mpi_ = false;
  MPI_Comm local_ = MPI_COMM_NULL;
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_world() { return std::make_unique<MpiWorld>(); }

}  // namespace idml::distributed
