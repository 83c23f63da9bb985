// Rank start-up, the failure path and the one-machine GPU launcher; see launch.h.
#include "train/cli/launch.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "engine/accelerator.h"
#include "engine/backend.h"
#include "engine/distributed/communicator.h"
#include "engine/error.h"

namespace idml::cli {

namespace {
std::vector<std::string> command_line;
bool in_world = false;
}  // namespace

void start_ranks(int argc, char** argv) {
  command_line.assign(argv, argv + argc);
  if (!distributed::launched_by_mpi()) return;
  distributed::Communicator& comm = distributed::world();
  in_world = true;
  if (comm.rank() != 0 && std::freopen("/dev/null", "w", stdout) == nullptr)
    std::cerr << "idml: rank " << comm.rank() << ": could not mute stdout\n";
}

void finish_ranks() {
  if (in_world) distributed::shutdown_world();
  in_world = false;
}

[[noreturn]] void fail(const std::string& message, const char* kind) {
  // One write of the whole line: std::cerr is unbuffered, and the MPI launcher
  // interleaves the ranks' output at each write (a line in pieces lost its
  // "idml: " to another rank's line)
  const auto write_line = [&](const std::string& prefix) {
    const std::string line = std::string("idml: ") + kind + ": " + prefix + message + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
  };
  if (in_world && distributed::world().size() > 1) {
    distributed::Communicator& comm = distributed::world();
    write_line(distributed::rank_prefix(comm));
    // A moment for the launcher to forward this line before it tears the job down.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    comm.abort(1);  // the other ranks may be waiting in a collective: end them all
  }
  write_line("");
  finish_ranks();
  std::exit(1);
}

void relaunch_on_every_gpu() {
  if (distributed::launched_by_mpi()) return;
  const int gpus = cuda_device_count();
  if (gpus <= 1) return;
  IDML_CHECK(distributed::built_with_mpi(), "--gpu-id -1 with ", gpus,
             " GPUs needs MPI: rebuild with -DIDML_MPI=ON (libopenmpi-dev)");
  // The launcher found at build time, else the machine's (a release runs where it was not built).
  const std::string launcher = access(IDML_MPIEXEC, X_OK) == 0 ? IDML_MPIEXEC : "mpirun";
  std::vector<std::string> args = {launcher, "-np", std::to_string(gpus), "--bind-to", "none"};
  if (geteuid() == 0) args.push_back("--allow-run-as-root");
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  args.push_back(n > 0 ? std::string(self, static_cast<size_t>(n)) : command_line.at(0));
  args.insert(args.end(), command_line.begin() + 1, command_line.end());
  std::fprintf(stderr, "idml: --gpu-id -1: %d GPUs, running %s -np %d ...\n", gpus, launcher.c_str(), gpus);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  throw Error(detail::concat("--gpu-id -1: could not start ", launcher, " (install openmpi-bin, or run "
                             "`mpirun -np ", gpus, " idml train ...` yourself)"));
}

}  // namespace idml::cli
