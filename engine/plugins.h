// Plug-ins and the libraries they need. The parts of idml that need
// libraries a machine may lack are shared libraries loaded on first use:
// lib/libidml_cuda.so (CUDA runtime, cuBLAS, cuDNN), lib/libidml_nccl.so
// (NCCL) and lib/libidml_mpi.so (the machine's MPI). So `idml` starts on any
// x86-64 Linux machine, and a missing library is an error naming it (or, for
// CUDA, the reason `idml doctor` and --device cuda print), never a loader
// failure before main.
//
// Plug-ins are looked for beside the program, in <its folder>/../lib (the
// release's layout: bin/idml, lib/), then in the build tree's lib/ folder.
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include "engine/cuda/library_search.h"

namespace idml {

// A shared library as loaded (or why not).
struct Loaded {
  void* handle = nullptr;
  std::string path;    // the file loaded
  std::string origin;  // for a library: the entry of the search order that held it
  std::string error;   // empty when loaded
};

// The folders searched for plug-ins, in order.
std::vector<std::string> plugin_folders();

// Whether a plug-in's symbols and those of the libraries it brings in are
// visible to libraries loaded later: MPI's own components (Open MPI loads its
// transports with dlopen) need libmpi's symbols global, as mpi4py loads it.
enum class SymbolScope { local, global };

// Loads lib<name>.so from the first plug-in folder holding it; the error
// names every folder tried and what the loader said.
Loaded load_plugin(const std::string& file, SymbolScope scope = SymbolScope::local);

// Loads `soname` from the first of `folders` it loads from (RTLD_GLOBAL, so
// a plug-in linked against it finds it by its soname); the error lists the
// folders tried and the loader's complaints.
Loaded load_library(const std::string& soname, const std::vector<cuda::LibraryFolder>& folders);

// The entry point `symbol` of a loaded plug-in, or nullptr.
void* plugin_symbol(const Loaded& plugin, const char* symbol);
template <typename Function>
Function plugin_function(const Loaded& plugin, const char* symbol) {
  void* address = plugin_symbol(plugin, symbol);
  Function f = nullptr;
  static_assert(sizeof f == sizeof address, "a function pointer the size of an object pointer (POSIX)");
  std::memcpy(&f, &address, sizeof f);  // POSIX dlsym's way from object to function pointer
  return f;
}

}  // namespace idml
