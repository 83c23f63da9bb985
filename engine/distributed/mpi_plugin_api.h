// The entry points lib/libidml_mpi.so hands to the engine's MPI transport
// (mpi_communicator.cpp): MPI on host buffers, nothing else. The plug-in links
// the machine's libmpi, so a binary built with MPI starts where MPI is absent
// (one process, one GPU) and uses the machine's MPI when mpirun/srun start it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace idml::distributed {

constexpr int kMpiPluginAbi = 1;

struct MpiPluginApi {
  int abi;            // kMpiPluginAbi
  const char* build;  // IDML_PLUGIN_BUILD_ID
  // MPI_Init_thread (FUNNELED) unless initialised; rank and size in the world
  // and among the ranks sharing this machine's memory. Throws idml::Error.
  void (*initialise)(int& rank, int& size, int& local_rank, int& local_size);
  void (*finalise)();  // MPI_Finalize when initialise() started MPI; once
  std::string (*library_version)();
  void (*all_reduce_sum_float)(float* data, size_t count);  // in place
  void (*all_gather_bytes)(const void* mine, size_t bytes, void* all);  // every rank gives `bytes`
  std::vector<std::vector<char>> (*all_gather_any)(const std::vector<char>& mine);  // any count per rank
  void (*barrier)();
  void (*abort)(int exit_code);  // MPI_Abort: ends every rank
};

}  // namespace idml::distributed

extern "C" const idml::distributed::MpiPluginApi* idml_mpi_plugin_api();
