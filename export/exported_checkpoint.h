// What the exporter reads from a checkpoint: the IDML network (ours, or the
// reference's `{'model_state_dict': ...}` .pth), the file's SHA-256, and the
// eval preprocessing it was trained for (`image_size`, `resize_size` of its
// `idml.config`; the defaults 224 / 256 when the file has none, as the
// reference's .pth). The file is read once.
// Refused, naming the file: a classification checkpoint (`idml classify`:
// its network has no embedding heads), an ImageNet backbone, anything that is
// not an IDML retrieval model.
#pragma once

#include <memory>
#include <string>

#include "data/transforms.h"
#include "models/idml_net.h"

namespace idml::onnx_export {

struct ExportedCheckpoint {
  std::unique_ptr<models::IDMLNet> net;  // on the CPU
  std::string sha256;                    // of the file's bytes, lower-case hex
  int image_size = data::TransformOptions{}.image_size;    // centre crop (224)
  int resize_size = data::TransformOptions{}.resize_size;  // shorter side before the crop (256)
};

ExportedCheckpoint read_exported_checkpoint(const std::string& path, models::EmbeddingNorm norm);

}  // namespace idml::onnx_export
