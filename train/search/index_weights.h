// The network that embedded an index, to embed queries exactly as its rows
// were: the weights named by the index record, checked by SHA-256. A
// different file is an error naming both files and both hashes; so is the
// recorded file when it has changed since. Shared with `idml embed`, which
// builds its network and the record's weights entry here.
// Not here: the preprocessing (IndexRecord::preprocessing), the search (index.h).
#pragma once

#include <memory>
#include <string>

#include "engine/device.h"
#include "models/idml_net.h"
#include "train/search/index_record.h"

namespace idml::search {

struct LoadedNet {
  std::unique_ptr<models::IDMLNet> net;  // on the device asked for
  WeightsRecord weights;                 // what was loaded, as an index record holds it
  std::string summary;                   // --pretrained: which ImageNet weights were loaded ("" otherwise)
};

// `idml embed --checkpoint F`: a trained IDML model (ours or the reference's .pth).
LoadedNet load_checkpoint_net(const std::string& file, models::EmbeddingNorm norm, Device device);

// `idml embed --pretrained F`: an ImageNet backbone ("none": none) and heads drawn from `seed`.
LoadedNet load_pretrained_net(const std::string& file, const std::string& model, int64_t embedding_size, uint64_t seed,
                              models::EmbeddingNorm norm, Device device);

// The network of `record` (the index at `prefix`): from `checkpoint` when
// given (--checkpoint), else from the recorded file; its SHA-256 must be the
// recorded one.
LoadedNet load_index_net(const IndexRecord& record, const std::string& prefix, const std::string& checkpoint,
                         Device device);

}  // namespace idml::search
