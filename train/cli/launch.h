// How `idml` runs on several ranks. Under an MPI launcher (mpirun, srun) every
// rank runs the same command; rank 0 alone prints to stdout, and an error on
// any rank ends all of them (MPI_Abort) with that rank's message.
// `idml train --device cuda --gpu-id -1` without a launcher re-runs itself as
// `mpirun -np <visible GPUs>` on this machine, one rank per GPU.
#pragma once

#include <string>

namespace idml::cli {

// Called first by main(): joins the MPI world when launched by MPI and mutes
// the stdout of ranks other than 0. Keeps argv for relaunch_on_every_gpu().
void start_ranks(int argc, char** argv);

// Called last by main(): tears the communicator down (NCCL, then MPI) before
// static destruction and the CUDA runtime's exit handlers.
void finish_ranks();

// Prints `message` as the error of this rank ("idml: <kind>: rank 1 of 2: ...")
// and ends the process: exit status 1 alone, MPI_Abort of every rank otherwise.
[[noreturn]] void fail(const std::string& message, const char* kind = "error");

// With several visible GPUs and no MPI launcher: replaces this process by
// mpirun running the same command line once per GPU (and never returns).
// Returns when there is nothing to launch (one GPU, or already a rank).
void relaunch_on_every_gpu();

}  // namespace idml::cli
