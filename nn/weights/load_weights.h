// One entry point for weight files of either format: load_weights(path)
// recognises safetensors and PyTorch .pth files by their first bytes (not by
// the extension), unwraps a checkpoint's model_state_dict, and removes
// DataParallel's `module.` prefix when every key carries it.
#pragma once

#include <string>

#include "io/bytes.h"
#include "nn/weights/state_dict.h"

namespace idml::weights {

struct LoadedWeights {
  StateDict tensors;
  std::string format;            // "safetensors", "pth"
  bool stripped_module_prefix = false;
};

LoadedWeights load_weights(const std::string& path);
// The same for a file already in memory; `path` names it in errors.
LoadedWeights load_weights(const std::shared_ptr<const io::Bytes>& file, const std::string& path);

}  // namespace idml::weights
