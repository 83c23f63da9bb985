// The entry points lib/libidml_cuda.so hands to the engine (internal to
// engine/cuda/). The plug-in is built from the same tree by the same compiler
// as the program that loads it, so the table passes C++ types; `build` must
// equal the loader's, which rejects a stale plug-in left in a build folder.
// No CUDA header here: loader.cpp (in every binary) includes it too.
#pragma once

#include "engine/cuda/cuda_backend.h"

namespace idml::cuda {

// Bumped whenever this table changes.
constexpr int kPluginAbi = 1;

struct PluginApi {
  int abi;            // kPluginAbi
  const char* build;  // IDML_PLUGIN_BUILD_ID of the plug-in's build
  int (*device_count)();
  const char* (*unavailable_reason)();
  Backend& (*backend_for_device)(int index);
  MathOptions (*math_options)();
  void (*set_math_options)(const MathOptions& options);
  bool (*cudnn_benchmark_mode)();
  MemoryStats (*memory_stats)(int index);
  void (*empty_cache)(int index);
  void* (*native_stream)(int index);
  void (*make_current)(int index);
  // Fills the versions and GPUs of `report` (the loader fills the rest).
  void (*fill_report)(RuntimeReport& report);
};

}  // namespace idml::cuda

// The one symbol the loader looks up in the plug-in.
extern "C" const idml::cuda::PluginApi* idml_cuda_plugin_api();
