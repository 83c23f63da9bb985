// A trained IDML network read back from a file: one of `idml train`'s
// checkpoints (train/checkpoint.h: the network's tensors under the names of
// docs/METHOD.md#2-model, plus the loss's `proxies` and, in a training
// checkpoint, the optimizer's state under `optimizer.`, both dropped here) or
// the reference's `{'model_state_dict': ...}` .pth (with or without `module.`).
// The backbone and embedding size are read off the tensors; the load is strict.
// What `idml eval`, `embed`, `search`, `report` and `export` build their net with.
// Not here: writing checkpoints, or a run's training state (train/checkpoint.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/device.h"
#include "models/idml_net.h"
#include "nn/weights/state_dict.h"

namespace idml::models {

// The names `idml train` stores beside the network's tensors.
constexpr const char* kProxiesName = "proxies";
constexpr const char* kOptimizerPrefix = "optimizer.";

// Model weights for evaluation or embedding, from ours (`proxies` and a
// training checkpoint's `optimizer.*` are dropped) or the reference's
// `{'model_state_dict': ...}` (with or without `module.`).
weights::StateDict read_model_weights(const std::string& path);
// The same for tensors already read: `dict` less `proxies` and `optimizer.*`.
weights::StateDict model_weights(weights::StateDict dict);

// What a model state dict was saved from: the ResNet depth (from the blocks of
// `model.layer3` and the bottleneck's conv3) and the embedding size.
std::string infer_backbone(const weights::StateDict& dict, const std::string& path);
int64_t infer_embedding_size(const weights::StateDict& dict, const std::string& path);

// The network a checkpoint (ours or the reference's) was saved from: its
// weights read, backbone and embedding size inferred, the net built without
// random draws (nn::ParameterInit::skip()), loaded (strict) and moved to `device`.
std::unique_ptr<IDMLNet> load_trained_net(const std::string& path, Device device,
                                          EmbeddingNorm norm = EmbeddingNorm::l2);
// The same from a model state dict already read (on the CPU); `path` names the file in errors.
std::unique_ptr<IDMLNet> build_trained_net(const weights::StateDict& dict, const std::string& path,
                                           EmbeddingNorm norm = EmbeddingNorm::l2);

}  // namespace idml::models
