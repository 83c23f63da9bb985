// The flags of a command that embeds query images for an `idml embed` index
// and searches it (`idml search`, `idml serve`), and what they resolve to:
// the index opened (HNSW or exact), the preprocessing of the queries (the
// index record's; a flag may repeat it, not contradict it) and the network
// (the record's weights, checked by SHA-256). An index written before
// records needs --checkpoint, --image-size and --resize-size.
// Not here: embedding or searching (each command does its own).
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "engine/device.h"
#include "engine/precision.h"
#include "models/idml_net.h"
#include "train/search/index.h"

namespace idml::cli {

struct IndexQueryFlags {
  std::string index, checkpoint, method = "auto";
  int64_t ef = search::kDefaultEf;
  int image_size = 224, resize_size = 256;
  InferencePrecision precision = InferencePrecision::Float32;

  // --index (required), --checkpoint, --method, --ef, --image-size, --resize-size, --precision.
  void add_to(CLI::App& cmd);

  // Opens --index with --method and --ef; errors name the index's files.
  search::Index open_index() const;
  // How the queries are embedded; `cmd` tells which flags were given.
  search::Preprocessing preprocessing(const search::Index& index, const CLI::App& cmd) const;
  // The network that embedded the index, on `device`; its D is the index's.
  std::unique_ptr<models::IDMLNet> network(const search::Index& index, Device device) const;
  // The weights file the network came from (--checkpoint, or the record's).
  std::string weights_file(const search::Index& index) const;
};

}  // namespace idml::cli
