// The transports behind world() (internal to engine/distributed/).
#pragma once

#include <memory>

#include "engine/distributed/communicator.h"

namespace idml::distributed {

// MPI_COMM_WORLD through lib/libidml_mpi.so; initialises MPI (thread level
// FUNNELED: only the main thread calls collectives) and finalises it when
// destroyed. Built with IDML_WITH_MPI.
std::unique_ptr<Communicator> make_mpi_world();

// CUDA tensors over NCCL, everything else through `host` (MPI), which also
// carries rank 0's ncclUniqueId. Built with IDML_WITH_NCCL.
std::unique_ptr<Communicator> make_nccl_communicator(std::unique_ptr<Communicator> host);

// Registers shutdown_world() as an exit handler (from now on: it runs before
// the handlers registered earlier, the CUDA runtime's among them).
void shut_down_at_exit();

}  // namespace idml::distributed
