// The engine's side of the CUDA plug-in: on first use, the CUDA libraries the
// plug-in was linked against are loaded from the first folder of the search
// order that has them (library_search.h), then lib/libidml_cuda.so; the public
// functions of cuda_backend.h forward to it. When anything is missing, the
// device count is 0 and the reason names what and where it was looked for.
// Compiled into every binary, with or without the CUDA backend.
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "engine/cuda/cuda_backend.h"
#include "engine/cuda/library_search.h"
#include "engine/cuda/plugin_api.h"
#include "engine/error.h"
#include "engine/plugins.h"

namespace idml::cuda {

namespace {

struct State {
  const PluginApi* api = nullptr;
  std::string reason;      // why api is null
  RuntimeReport report;    // search, libraries, plugin_path, built_for
};

#ifdef IDML_WITH_CUDA
// "libcudart.so.13:libcublasLt.so.13:..." (cmake/Cuda.cmake) -> its names.
std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t end; (end = text.find(':', start)) != std::string::npos; start = end + 1)
    out.push_back(text.substr(start, end - start));
  out.push_back(text.substr(start));
  return out;
}

void load(State& s) {
  const std::vector<LibraryFolder> folders = cuda_library_folders([](const char* name) { return std::getenv(name); });
  for (const LibraryFolder& f : folders) s.report.search.push_back(f.path + " (" + f.origin + ")");
  // In link order: the runtime, cuBLAS (cuBLASLt first, which it needs), cuDNN.
  for (const std::string& soname : split(IDML_CUDA_SONAMES)) {
    const Loaded library = load_library(soname, folders);
    s.report.libraries.push_back({soname, library.path, library.origin});
    if (!library.error.empty()) {
      s.reason = library.error;
      return;
    }
  }
  const Loaded plugin = load_plugin("libidml_cuda.so");
  if (!plugin.error.empty()) {
    s.reason = plugin.error;
    return;
  }
  s.report.plugin_path = plugin.path;
  using Entry = const PluginApi* (*)();
  const auto entry = plugin_function<Entry>(plugin, "idml_cuda_plugin_api");
  const PluginApi* api = entry ? entry() : nullptr;
  if (!api || api->abi != kPluginAbi || std::strcmp(api->build, IDML_PLUGIN_BUILD_ID) != 0) {
    s.reason = plugin.path + " is not the plug-in of this idml (build " + IDML_PLUGIN_BUILD_ID +
               (api ? std::string(", plug-in build ") + api->build : std::string(", no entry point")) +
               "): rebuild, or unpack the release again";
    return;
  }
  s.api = api;
}
#endif

std::mutex& state_mutex() {
  static auto* m = new std::mutex;
  return *m;
}
State* loaded_state = nullptr;  // never destroyed: tensors freed at exit still reach their backend

const State& state() {
  std::lock_guard<std::mutex> lock(state_mutex());
  if (!loaded_state) {
    auto* s = new State;
#ifdef IDML_WITH_CUDA
    s->report.built = true;
    s->report.built_for = IDML_CUDA_BUILT_FOR;
    load(*s);
#else
    s->reason = "this idml was built without the CUDA backend (configure with the CUDA toolkit and cuDNN present)";
#endif
    loaded_state = s;
  }
  return *loaded_state;
}

const PluginApi& api_or_throw(int index) {
  const State& s = state();
  if (!s.api) throw Error(detail::concat("device cuda:", index, " requested, but no CUDA device is available (", s.reason, ")"));
  return *s.api;
}

// The options while no plug-in is loaded (nothing runs on a GPU then).
MathOptions& unloaded_options() {
  static auto* options = new MathOptions;
  return *options;
}

}  // namespace

int device_count() {
  const State& s = state();
  return s.api ? s.api->device_count() : 0;
}

std::string unavailable_reason() {
  const State& s = state();
  return s.api ? s.api->unavailable_reason() : s.reason;
}

Backend& backend_for_device(int index) { return api_or_throw(index).backend_for_device(index); }

MathOptions math_options() {
  const State& s = state();
  return s.api ? s.api->math_options() : unloaded_options();
}

void set_math_options(const MathOptions& options) {
  const State& s = state();
  if (s.api) s.api->set_math_options(options);
  else unloaded_options() = options;
}

bool cudnn_benchmark_mode() { return api_or_throw(0).cudnn_benchmark_mode(); }

MemoryStats memory_stats(int device_index) { return api_or_throw(device_index).memory_stats(device_index); }

void empty_cache(int device_index) { api_or_throw(device_index).empty_cache(device_index); }

void* native_stream(int device_index) { return api_or_throw(device_index).native_stream(device_index); }

void make_current(int device_index) { api_or_throw(device_index).make_current(device_index); }

RuntimeReport runtime_report() {
  const State& s = state();
  RuntimeReport report = s.report;
  report.reason = s.reason;
  if (s.api) s.api->fill_report(report);
  return report;
}

}  // namespace idml::cuda
