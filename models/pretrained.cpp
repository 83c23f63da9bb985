// Strict pretrained-trunk loading, fc ignored, torchvision files recognised by SHA-256.
#include "models/pretrained.h"

#include "models/sha256.h"
#include "nn/weights/load_weights.h"

namespace idml::models {

namespace {
bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}
bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// torchvision's ResNet-50 files (torchvision/models/resnet.py URLs).
constexpr KnownWeights kKnownWeights[] = {
    {"0676ba61", "resnet50-0676ba61.pth", "torchvision ResNet-50 IMAGENET1K_V1", true},
    {"19c8e357", "resnet50-19c8e357.pth", "torchvision ResNet-50 IMAGENET1K_V1 (older copy)", true},
    {"11ad3fa6", "resnet50-11ad3fa6.pth", "torchvision ResNet-50 IMAGENET1K_V2", false},
};
}  // namespace

const KnownWeights* lookup_known_weights(const std::string& sha256_hex) {
  for (const KnownWeights& known : kKnownWeights)
    if (starts_with(sha256_hex, known.sha256_prefix)) return &known;
  return nullptr;
}

std::string paper_recipe_warning(const KnownWeights* known, const std::string& dataset) {
  const bool paper_dataset = dataset == "cub" || dataset == "cars" || dataset == "SOP";
  if (!paper_dataset || known == nullptr || known->paper_start) return "";
  return std::string("warning: --pretrained is ") + known->name + " (" + known->file_name +
         "); the paper's " + dataset +
         " recipe starts from IMAGENET1K_V1 (resnet50-0676ba61.pth), so results will differ from docs/METHOD.md#1-results";
}

std::string PretrainedReport::summary() const {
  if (format == "none") return "none (--pretrained none: the backbone starts from its random initialisation)";
  std::string out;
  if (!sha256.empty()) {
    out = (known ? std::string(known->name) : std::string("not a known torchvision file")) + " (SHA-256 " + sha256 +
          ")" + (known && !known->paper_start ? ", not the paper's starting point" : "") + "; ";
  }
  out += "loaded " + std::to_string(loaded) + " tensors from " + format;
  if (filled_counters > 0)
    out += "; " + std::to_string(filled_counters) + " num_batches_tracked absent (old layout), set to 0";
  if (!ignored.empty()) {
    out += "; ignored";
    for (size_t i = 0; i < ignored.size(); ++i) out += (i ? ", " : " ") + ignored[i];
  }
  return out;
}

PretrainedReport load_pretrained_backbone(ResNet& model, const nn::StateDict& file_dict, const std::string& source) {
  // The heads an IDML net adds are not in an ImageNet file; a file that has
  // them is a checkpoint, not a backbone.
  const std::vector<std::string> heads = {"embedding.", "uncertainty."};
  for (const auto& entry : file_dict)
    for (const std::string& head : heads)
      IDML_CHECK(!starts_with(entry.first, head), "load_pretrained_backbone: ", source, " holds '", entry.first,
                 "': it is not a torchvision ImageNet state dict (an IDML checkpoint?)");
  PretrainedReport report;
  for (const auto& entry : file_dict)
    if (starts_with(entry.first, "fc.")) report.ignored.push_back(entry.first);
  // PyTorch's BatchNorm loads a state dict without num_batches_tracked (saved before
  // PyTorch 0.4.1) by starting the counter at 0; do the same.
  nn::StateDict dict = file_dict;
  for (const auto& [name, tensor] : model.state_dict()) {
    if (ends_with(name, ".num_batches_tracked") && dict.count(name) == 0) {
      dict[name] = zeros(tensor.shape(), tensor.dtype());
      ++report.filled_counters;
    }
  }
  std::vector<std::string> ignored_prefixes = heads;
  ignored_prefixes.push_back("fc.");
  try {
    model.load_state_dict(dict, nn::Module::KeyMatch::strict, ignored_prefixes);
  } catch (const Error& e) {
    throw Error("load_pretrained_backbone: " + source + ": " + e.what());
  }
  report.loaded = file_dict.size() - report.ignored.size();
  return report;
}

PretrainedReport load_pretrained_backbone(ResNet& model, const std::string& path) {
  if (path == "none") {
    PretrainedReport report;
    report.format = "none";
    return report;
  }
  weights::LoadedWeights file = weights::load_weights(path);
  PretrainedReport report = load_pretrained_backbone(model, file.tensors, path);
  report.format = file.format;
  report.sha256 = sha256_of_file(path);
  report.known = lookup_known_weights(report.sha256);
  return report;
}

}  // namespace idml::models
