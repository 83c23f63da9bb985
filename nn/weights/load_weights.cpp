// Format detection for load_weights.
#include "nn/weights/load_weights.h"

#include "nn/weights/pth.h"
#include "nn/weights/safetensors.h"
#include "nn/weights/to_tensor.h"

namespace idml::weights {

LoadedWeights load_weights(const std::string& path) { return load_weights(io::read_file_bytes(path), path); }

LoadedWeights load_weights(const std::shared_ptr<const io::Bytes>& file, const std::string& path) {
  LoadedWeights out;
  if (looks_like_safetensors(*file)) {
    out.format = "safetensors";
    for (const auto& [name, raw] : parse_safetensors(file, path).tensors)
      out.tensors[name] = to_tensor(raw, path + ": '" + name + "'");
  } else {
    IDML_CHECK(looks_like_pth(*file), path, ": neither a safetensors file nor a PyTorch .pth file");
    out.format = "pth";
    out.tensors = load_pth(file, path);
  }
  if (all_keys_have_prefix(out.tensors, "module.")) {
    out.tensors = strip_prefix(out.tensors, "module.");
    out.stripped_module_prefix = true;
  }
  return out;
}

}  // namespace idml::weights
