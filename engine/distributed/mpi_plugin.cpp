// lib/libidml_mpi.so: MPI_COMM_WORLD on host buffers (mpi_plugin_api.h).
// Errors stay MPI_ERRORS_ARE_FATAL: a lost peer ends every rank, never a hang.
#include <mpi.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/distributed/mpi_plugin_api.h"
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

int count(size_t n) {
  IDML_CHECK(n <= static_cast<size_t>(INT32_MAX), "MPI message of ", n, " elements is over the 2^31 limit");
  return static_cast<int>(n);
}

bool owns_mpi = false;
MPI_Comm local = MPI_COMM_NULL;

void initialise(int& rank, int& size, int& local_rank, int& local_size) {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) {
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    owns_mpi = true;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  // The ranks that share this machine's memory: one GPU each.
  check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &local), "MPI_Comm_split_type");
  MPI_Comm_rank(local, &local_rank);
  MPI_Comm_size(local, &local_size);
}

void finalise() {
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (finalised) return;
  if (local != MPI_COMM_NULL) MPI_Comm_free(&local);
  if (owns_mpi) MPI_Finalize();
}

std::string library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  MPI_Get_library_version(text, &length);
  std::string out(text, static_cast<size_t>(length));
  const size_t line = out.find_first_of("\r\n,");
  return line == std::string::npos ? out : out.substr(0, line);
}

void all_reduce_sum_float(float* data, size_t n) {
  check(MPI_Allreduce(MPI_IN_PLACE, data, count(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
}

void all_gather_bytes(const void* mine, size_t bytes, void* all) {
  check(MPI_Allgather(mine, count(bytes), MPI_BYTE, all, count(bytes), MPI_BYTE, MPI_COMM_WORLD), "MPI_Allgather");
}

std::vector<std::vector<char>> all_gather_any(const std::vector<char>& mine) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  std::vector<int> counts(size), offsets(size);
  const int my_count = count(mine.size());
  check(MPI_Allgather(&my_count, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD), "MPI_Allgather");
  size_t total = 0;
  for (int r = 0; r < size; ++r) {
    offsets[r] = count(total);
    total += static_cast<size_t>(counts[r]);
  }
  std::vector<char> all(total);
  check(MPI_Allgatherv(mine.data(), my_count, MPI_BYTE, all.data(), counts.data(), offsets.data(), MPI_BYTE,
                       MPI_COMM_WORLD),
        "MPI_Allgatherv");
  std::vector<std::vector<char>> out(size);
  for (int r = 0; r < size; ++r) out[r].assign(all.begin() + offsets[r], all.begin() + offsets[r] + counts[r]);
  return out;
}

const MpiPluginApi kApi = {
    kMpiPluginAbi,
    IDML_PLUGIN_BUILD_ID,
    initialise,
    finalise,
    library_version,
    all_reduce_sum_float,
    all_gather_bytes,
    all_gather_any,
    [] { check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); },
    [](int exit_code) {
      MPI_Abort(MPI_COMM_WORLD, exit_code);
      std::_Exit(exit_code);  // MPI_Abort does not return; in case an implementation does
    },
};

}  // namespace

}  // namespace idml::distributed

extern "C" __attribute__((visibility("default"))) const idml::distributed::MpiPluginApi* idml_mpi_plugin_api() {
  return &idml::distributed::kApi;
}
