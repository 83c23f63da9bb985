// Loading torchvision's ImageNet weights (.pth or safetensors, read by
// nn/weights) into a ResNet trunk. Strict on the trunk: every torchvision
// name of the model must be in the file with the same shape, and the file
// must hold nothing else; `fc.*` (the ImageNet classifier) is ignored and
// reported; a missing BatchNorm `num_batches_tracked` (the old
// resnet50-19c8e357.pth layout) is not an error, as in PyTorch. An IDML net's
// heads (`embedding.*`, `uncertainty.*`) keep their own initialisation.
// Files are recognised by content: torchvision names each after the first
// 8 hex digits of its SHA-256, so those digits identify V1 and V2 whatever
// the file is called. "none" as the path means no pretrained weights.
#pragma once

#include <string>
#include <vector>

#include "models/resnet.h"

namespace idml::models {

// A torchvision weights file known by the first 8 hex digits of its SHA-256.
struct KnownWeights {
  const char* sha256_prefix;  // "0676ba61"
  const char* file_name;      // "resnet50-0676ba61.pth"
  const char* name;           // "torchvision ResNet-50 IMAGENET1K_V1"
  bool paper_start;           // the reference's starting point (docs/METHOD.md#2-model)
};

// The entry whose prefix starts `sha256_hex` (64 hex digits), or nullptr.
const KnownWeights* lookup_known_weights(const std::string& sha256_hex);

// "" or the warning to print when `known` starts a paper recipe (cub, cars, SOP)
// but is not the reference's starting point (the V2 weights).
std::string paper_recipe_warning(const KnownWeights* known, const std::string& dataset);

struct PretrainedReport {
  std::string format;                 // "pth", "safetensors", or "none"
  std::string sha256;                 // of the file ("" for none / in-memory dicts)
  const KnownWeights* known = nullptr;  // recognised by sha256, or nullptr
  size_t loaded = 0;                  // tensors copied
  std::vector<std::string> ignored;   // file keys not loaded (fc.*)
  size_t filled_counters = 0;         // num_batches_tracked absent from the file, set to 0
  // "torchvision ResNet-50 IMAGENET1K_V1 (SHA-256 0676ba61...); loaded 320 tensors from pth; ignored fc.bias, fc.weight"
  std::string summary() const;
};

// path "none": nothing loaded, report.format = "none".
PretrainedReport load_pretrained_backbone(ResNet& model, const std::string& path);
// Same from a dict already in memory; `source` names it in errors.
PretrainedReport load_pretrained_backbone(ResNet& model, const nn::StateDict& dict, const std::string& source);

}  // namespace idml::models
