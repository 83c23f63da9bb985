// The effective value of every process-wide setting that changes what an op
// computes, or in which order it sums: the environment switches as they were
// read, the thread count, and the instruction set oneDNN dispatches to.
// docs/ARCHITECTURE.md lists them with the caches and scopes that change what
// an op does; a run writes them to its config.json (train/run_log.h), so that
// two runs whose digits differ can be told apart.
#pragma once

#include <string>
#include <vector>

#include "engine/device.h"

namespace idml {

struct EngineSetting {
  std::string name;   // "cpu_conv"
  std::string value;  // "onednn"
  std::string from;   // what sets it: "IDML_CPU_CONV"
};

// The CPU's settings (every run uses the CPU), then the device's when it is a GPU.
std::vector<EngineSetting> engine_settings(Device device);

}  // namespace idml
