// `idml report RUN_DIR`: one self-contained HTML page about a training run
// (inline SVG, thumbnails as embedded JPEG, no script, no network):
//   #config     the configuration and the command line
//   #curves     loss, learning rate, images/s and every metric per epoch, best epoch marked
//   #epochs     the same numbers as a table (data-value = the exact metrics.jsonl value)
//   #gallery    queries of the eval split and their top neighbours (best checkpoint)
//   #classes    the per-class Recall@1 distribution and the hardest classes
//   #margins    the ISM margin between the true proxy and the best other proxy
//               (proxy losses only: Proxy_Anchor, Proxy_NCA)
// The last three need the best checkpoint; they are cached in the run
// directory by its epoch, so `idml train` can rewrite the page after every
// evaluation and pay for the embeddings only when the best model changes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/device.h"

namespace idml::report {

struct ReportOptions {
  std::string out;               // default RUN_DIR/report.html
  int random_queries = 16;       // gallery: queries drawn with `seed`
  int worst_queries = 8;         // gallery: the worst failures
  int neighbours = 8;            // gallery: neighbours per query
  int thumbnail_size = 96;       // longer side of a thumbnail, pixels
  int64_t margin_samples = 2000; // training-class images for the margin histogram (evenly spaced)
  uint64_t seed = 0;
  int64_t batch_size = 64;
  int workers = 2;
  Device device = Device::cpu();
  bool use_cache = true;         // reuse the checkpoint sections while the best epoch is unchanged
};

struct RunRecords {
  nlohmann::json config;                // config.json
  std::vector<nlohmann::json> epochs;   // metrics.jsonl lines with "event": "epoch"
  std::vector<nlohmann::json> evals;    // lines with "event": "eval" (before training)
};

// Reads config.json and metrics.jsonl; errors name the directory and the file.
RunRecords read_run_records(const std::string& run_directory);

// Writes the page atomically and returns its path.
std::string write_run_report(const std::string& run_directory, const ReportOptions& options = {});

}  // namespace idml::report
