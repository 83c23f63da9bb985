// Loading plug-ins and the libraries they need (engine/plugins.h).
#include "engine/plugins.h"

#include <dlfcn.h>
#include <link.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

namespace idml {

namespace fs = std::filesystem;

namespace {

std::string last_dl_error() {
  const char* e = dlerror();
  return e ? e : "unknown error";
}

// The file a handle was loaded from, as the dynamic loader resolved it.
std::string path_of(void* handle, const std::string& fallback) {
  struct link_map* map = nullptr;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name && *map->l_name) return map->l_name;
  return fallback;
}

bool file_exists(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

}  // namespace

std::vector<std::string> plugin_folders() {
  std::vector<std::string> out;
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) out.push_back((fs::path(std::string(self, static_cast<size_t>(n))).parent_path().parent_path() / "lib")
                               .lexically_normal()
                               .string());
#ifdef IDML_PLUGIN_BUILD_DIR
  out.push_back(IDML_PLUGIN_BUILD_DIR);
#endif
  return out;
}

Loaded load_plugin(const std::string& file, SymbolScope scope) {
  Loaded out;
  std::string tried;
  for (const std::string& folder : plugin_folders()) {
    const fs::path path = fs::path(folder) / file;
    if (!file_exists(path)) {
      tried += "\n  " + path.string() + ": absent";
      continue;
    }
    out.handle = dlopen(path.c_str(), RTLD_NOW | (scope == SymbolScope::global ? RTLD_GLOBAL : RTLD_LOCAL));
    if (out.handle) {
      out.path = path.string();
      return out;
    }
    tried += "\n  " + path.string() + ": " + last_dl_error();
  }
  out.error = "cannot load the plug-in " + file + ":" + tried;
  return out;
}

Loaded load_library(const std::string& soname, const std::vector<cuda::LibraryFolder>& folders) {
  Loaded out;
  std::string tried;
  for (const cuda::LibraryFolder& folder : folders) {
    const bool loader_search = folder.path == cuda::kLoaderSearch;
    const std::string path = loader_search ? soname : (fs::path(folder.path) / soname).string();
    if (!loader_search && !file_exists(path)) continue;
    out.handle = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (out.handle) {
      out.path = path_of(out.handle, path);
      out.origin = folder.origin;
      return out;
    }
    const std::string why = last_dl_error();
    if (!loader_search || why.find("cannot open shared object file") == std::string::npos)
      tried += "\n  " + path + ": " + why;
  }
  out.error = soname + " not found in:";
  for (const cuda::LibraryFolder& folder : folders) out.error += "\n  " + folder.path + " (" + folder.origin + ")";
  if (!tried.empty()) out.error += "\nfound but not loadable:" + tried;
  out.error += "\n(set IDML_CUDA_LIBS to the folder that holds it)";
  return out;
}

void* plugin_symbol(const Loaded& plugin, const char* symbol) {
  return plugin.handle ? dlsym(plugin.handle, symbol) : nullptr;
}

}  // namespace idml
