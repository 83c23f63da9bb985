// Loading torchvision's ImageNet weights (.pth or safetensors, read by
// nn/weights) into a ResNet trunk. Strict on the trunk: every torchvision
// name of the model must be in the file with the same shape, and the file
// must hold nothing else; `fc.*` (the ImageNet classifier) is ignored and
// reported. An IDML net's heads (`embedding.*`, `uncertainty.*`) keep their
// own initialisation.
#pragma once

#include <string>
#include <vector>

#include "models/resnet.h"

namespace idml::models {

struct PretrainedReport {
  std::string format;                 // "pth", "safetensors"
  size_t loaded = 0;                  // tensors copied
  std::vector<std::string> ignored;   // file keys not loaded (fc.*)
  std::string summary() const;        // "loaded 320 tensors from pth; ignored fc.bias, fc.weight"
};

PretrainedReport load_pretrained_backbone(ResNet& model, const std::string& path);
// Same from a dict already in memory; `source` names it in errors.
PretrainedReport load_pretrained_backbone(ResNet& model, const nn::StateDict& dict, const std::string& source);

}  // namespace idml::models
