// `idml convert IN OUT.safetensors`: reads a PyTorch .pth (zip or legacy
// format) or a safetensors file and writes its state dict as safetensors
// (float types as F32, integers as I64). A checkpoint's model_state_dict is
// unwrapped and DataParallel's `module.` prefix removed; other checkpoint
// entries (optimizer state, epoch) are not converted.
#include <iostream>
#include <string>

#include "nn/weights/load_weights.h"
#include "nn/weights/safetensors.h"
#include "train/cli/commands.h"

namespace idml::cli {

void add_convert_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("convert", "Convert a PyTorch .pth (or safetensors) file to safetensors");
  auto input = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto strip = std::make_shared<std::string>();
  command->add_option("input", *input, "weights to read: .pth (torch.save, zip or legacy) or .safetensors")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("output", *output, "safetensors file to write (replaced atomically)")->required();
  command->add_option("--strip-prefix", *strip, "remove this prefix, which every key must carry (e.g. model.)");
  command->callback([input, output, strip, &exit_code] {
    weights::LoadedWeights loaded = weights::load_weights(*input);
    if (loaded.stripped_module_prefix) std::cout << "removed DataParallel prefix 'module.'\n";
    if (!strip->empty()) {
      IDML_CHECK(weights::all_keys_have_prefix(loaded.tensors, *strip), *input, ": not every key starts with '",
                 *strip, "'");
      loaded.tensors = weights::strip_prefix(loaded.tensors, *strip);
    }
    weights::save_safetensors(*output, loaded.tensors, {{"format", "pt"}, {"source", *input}});
    std::cout << "converted " << *input << " (" << loaded.format << ") -> " << *output << ": "
              << loaded.tensors.size() << " tensors, " << weights::element_count(loaded.tensors)
              << " elements\n";
    exit_code = 0;
  });
}

}  // namespace idml::cli
