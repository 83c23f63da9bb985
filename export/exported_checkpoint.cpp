// Reading a checkpoint for export: weights, SHA-256, preprocessing.
#include "export/exported_checkpoint.h"

#include <nlohmann/json.hpp>

#include "engine/error.h"
#include "io/bytes.h"
#include "models/sha256.h"
#include "models/trained_net.h"
#include "nn/weights/load_weights.h"
#include "nn/weights/safetensors.h"

namespace idml::onnx_export {

namespace {

// `idml classify` checkpoints say so in their metadata; a .pth of one (or of a
// torchvision classifier) shows it by its names: `conv1.*` and `fc.*` at the top.
void refuse_classification(const weights::StateDict& dict, const weights::Metadata& metadata, const std::string& path) {
  const auto task = metadata.find("idml.task");
  const bool classify_task = task != metadata.end() && task->second == "classify";
  const bool classifier_names = dict.count("model.conv1.weight") == 0 &&
                                (dict.count("fc.weight") > 0 || dict.count("bn_final.weight") > 0);
  IDML_CHECK(!classify_task && !classifier_names, path,
             ": a classification network (idml classify, or an ImageNet classifier): idml export writes the IDML "
             "retrieval network only (semantic and uncertainty embeddings; names model.conv1.*, model.embedding.*)");
}

// image_size / resize_size from `idml.config`, when present and sensible.
void read_preprocessing(const weights::Metadata& metadata, const std::string& path, ExportedCheckpoint& out) {
  const auto config = metadata.find("idml.config");
  if (config == metadata.end()) return;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(config->second);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": metadata 'idml.config' is not valid JSON: " + e.what());
  }
  for (const auto& [key, field] : {std::make_pair("image_size", &out.image_size),
                                   std::make_pair("resize_size", &out.resize_size)}) {
    if (!j.contains(key)) continue;
    IDML_CHECK(j[key].is_number_integer() && j[key].get<int64_t>() >= 1 && j[key].get<int64_t>() <= 2048, path,
               ": idml.config's ", key, " should be an integer from 1 to 2048, got ", j[key].dump());
    *field = j[key].get<int>();
  }
}

}  // namespace

ExportedCheckpoint read_exported_checkpoint(const std::string& path, models::EmbeddingNorm norm) {
  ExportedCheckpoint out;
  weights::StateDict dict;
  weights::Metadata metadata;
  {
    const std::shared_ptr<const io::Bytes> file = io::read_file_bytes(path);
    models::Sha256 hash;
    hash.update(file->data(), file->size());
    out.sha256 = hash.hex_digest();
    dict = weights::load_weights(file, path).tensors;
    if (weights::looks_like_safetensors(*file)) metadata = weights::parse_safetensors(file, path).metadata;
  }
  refuse_classification(dict, metadata, path);
  read_preprocessing(metadata, path, out);
  out.net = models::build_trained_net(models::model_weights(std::move(dict)), path, norm);
  out.net->eval();
  return out;
}

}  // namespace idml::onnx_export
