// The device options; see options.h.
#include "train/cli/options.h"

#include "train/run_setup.h"

namespace idml::cli {

void add_device_options(CLI::App& cmd, DeviceKind& kind, int& gpu_id, const std::string& gpu_help) {
  add_choice_option(cmd, "--device", kind, "cpu | cuda");
  cmd.add_option("--gpu-id,--gpu", gpu_id, gpu_help)->capture_default_str();
}

Device DeviceChoice::resolve() const { return train::resolve_device(kind, gpu_id); }

}  // namespace idml::cli
