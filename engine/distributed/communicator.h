// Collectives for data parallelism (docs/METHOD.md#9-data-parallelism): one small interface, two
// transports. MPI moves CPU tensors and starts everything up (ranks, local
// rank, the NCCL id); NCCL moves CUDA tensors on the device's stream. The
// algorithm that keeps N ranks equal to one device is train/distributed_step.*;
// this layer only moves bytes, in rank order, and knows nothing of autograd.
//
//   Communicator& comm = world();          // size 1 unless started by mpirun/srun
//   comm.all_reduce_sum(flat_gradients);   // in place, every rank gets the sum
//   Tensor all = comm.all_gather(shard);   // (N * rows, ...) in rank order
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/tensor.h"

namespace idml::distributed {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Rank among the processes of this machine (one GPU per local rank).
  virtual int local_rank() const = 0;
  virtual int local_size() const = 0;
  // "single process", "MPI", "MPI + NCCL".
  virtual std::string transport() const = 0;

  // In-place sum over ranks of a float32 tensor (CPU: MPI; CUDA: NCCL).
  virtual void all_reduce_sum(const Tensor& tensor) = 0;
  // Concatenation along dim 0 of every rank's `shard` (same shape everywhere), in rank order.
  virtual Tensor all_gather(const Tensor& shard) = 0;
  // Host bytes of every rank, in rank order, each rank giving any count (evaluation shards, checksums).
  virtual std::vector<std::vector<char>> all_gather_bytes(const std::vector<char>& mine) = 0;
  virtual void barrier() = 0;
  // Ends every rank at once, non-zero (a failing rank must not leave the others waiting in a collective).
  [[noreturn]] virtual void abort(int exit_code) = 0;
};

// The process's communicator: MPI's world when the process was started by an
// MPI launcher (and idml was built with MPI), else a single-process one.
// CUDA tensors use NCCL when built with it (set up on first use of the device).
Communicator& world();

// Destroys the world's communicator (NCCL's, then MPI_Finalize) while the CUDA
// runtime is still up; main() calls it before it returns. Idempotent; world()
// is an error afterwards. Also registered as an exit handler when MPI or NCCL
// start, for programs that do not call it.
void shutdown_world();

// A communicator of this process alone (size 1), whatever the launcher.
std::unique_ptr<Communicator> single_process();

// Whether an MPI launcher (mpirun, srun) started this process, from its environment.
bool launched_by_mpi();
bool built_with_mpi();
bool built_with_nccl();

// "rank 1 of 2: " in a multi-rank run, "" alone: the prefix of a rank's error messages.
std::string rank_prefix(const Communicator& comm);

}  // namespace idml::distributed
