// Strict pretrained-trunk loading, fc ignored.
#include "models/pretrained.h"

#include "nn/weights/load_weights.h"

namespace idml::models {

namespace {
bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}
}  // namespace

std::string PretrainedReport::summary() const {
  std::string out = "loaded " + std::to_string(loaded) + " tensors from " + format;
  if (!ignored.empty()) {
    out += "; ignored";
    for (size_t i = 0; i < ignored.size(); ++i) out += (i ? ", " : " ") + ignored[i];
  }
  return out;
}

PretrainedReport load_pretrained_backbone(ResNet& model, const nn::StateDict& dict, const std::string& source) {
  // The heads an IDML net adds are not in an ImageNet file; a file that has
  // them is a checkpoint, not a backbone.
  const std::vector<std::string> heads = {"embedding.", "uncertainty."};
  for (const auto& entry : dict)
    for (const std::string& head : heads)
      IDML_CHECK(!starts_with(entry.first, head), "load_pretrained_backbone: ", source, " holds '", entry.first,
                 "': it is not a torchvision ImageNet state dict (an IDML checkpoint?)");
  PretrainedReport report;
  for (const auto& entry : dict)
    if (starts_with(entry.first, "fc.")) report.ignored.push_back(entry.first);
  std::vector<std::string> ignored_prefixes = heads;
  ignored_prefixes.push_back("fc.");
  try {
    model.load_state_dict(dict, true, ignored_prefixes);
  } catch (const Error& e) {
    throw Error("load_pretrained_backbone: " + source + ": " + e.what());
  }
  report.loaded = dict.size() - report.ignored.size();
  return report;
}

PretrainedReport load_pretrained_backbone(ResNet& model, const std::string& path) {
  weights::LoadedWeights file = weights::load_weights(path);
  PretrainedReport report = load_pretrained_backbone(model, file.tensors, path);
  report.format = file.format;
  return report;
}

}  // namespace idml::models
