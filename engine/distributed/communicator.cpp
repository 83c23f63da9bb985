// world(), the single-process communicator, and the choice of transport.
#include "engine/distributed/communicator.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

#include "engine/distributed/transports.h"
#include "engine/error.h"

namespace idml::distributed {

namespace {

// Size 1: every collective is the identity (a copy where the caller expects a new tensor).
class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  int local_rank() const override { return 0; }
  int local_size() const override { return 1; }
  std::string transport() const override { return "single process"; }
  void all_reduce_sum(const Tensor&) override {}
  Tensor all_gather(const Tensor& shard) override {
    Tensor out = empty(shard.shape(), shard.dtype(), shard.device());
    out.copy_(shard);
    return out;
  }
  std::vector<std::vector<char>> all_gather_bytes(const std::vector<char>& mine) override { return {mine}; }
  void barrier() override {}
  [[noreturn]] void abort(int exit_code) override { std::_Exit(exit_code); }
};

}  // namespace

bool launched_by_mpi() {
  // Open MPI's mpirun, PMIx launchers (srun --mpi=pmix), MPICH/Hydra and PMI-2 (srun).
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

bool built_with_mpi() {
#ifdef IDML_WITH_MPI
  return true;
#else
  return false;
#endif
}

bool built_with_nccl() {
#ifdef IDML_WITH_NCCL
  return true;
#else
  return false;
#endif
}

std::unique_ptr<Communicator> single_process() { return std::make_unique<SingleProcess>(); }

namespace {
std::mutex& world_mutex() {
  static auto* m = new std::mutex;
  return *m;
}
Communicator* world_instance = nullptr;  // heap: destroyed by shutdown_world(), never by static destruction
bool world_shut_down = false;

std::unique_ptr<Communicator> make_world() {
  if (!launched_by_mpi()) return single_process();
#ifdef IDML_WITH_MPI
  std::unique_ptr<Communicator> mpi = make_mpi_world();
  shut_down_at_exit();  // MPI_Finalize at exit, for programs that do not call shutdown_world()
#ifdef IDML_WITH_NCCL
  return make_nccl_communicator(std::move(mpi));
#else
  return mpi;
#endif
#else
  throw Error(
      "this process was started by an MPI launcher (mpirun/srun), but this idml was built without MPI "
      "(configure with -DIDML_MPI=ON and install libopenmpi-dev)");
#endif
}
}  // namespace

Communicator& world() {
  std::lock_guard<std::mutex> lock(world_mutex());
  IDML_CHECK(!world_shut_down, "the process's communicator was already shut down (shutdown_world)");
  if (!world_instance) world_instance = make_world().release();
  return *world_instance;
}

void shutdown_world() {
  std::lock_guard<std::mutex> lock(world_mutex());
  delete world_instance;
  world_instance = nullptr;
  world_shut_down = true;
}

void shut_down_at_exit() { std::atexit([] { shutdown_world(); }); }

std::string rank_prefix(const Communicator& comm) {
  if (comm.size() == 1) return "";
  return "rank " + std::to_string(comm.rank()) + " of " + std::to_string(comm.size()) + ": ";
}

}  // namespace idml::distributed
