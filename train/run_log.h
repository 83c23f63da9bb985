// What a training run writes besides checkpoints, in its run directory:
//   config.json                  the resolved configuration, and under "engine" the
//                                engine's effective settings on the run's device
//                                (engine/settings.h: what changes what an op does)
//   metrics.jsonl                one JSON object per line: every epoch and evaluation
//   <dataset>_<model>_best_results.txt   the reference's "Best Epoch: E" /
//                                "Best Recall@K: xx.xxxx" file
// Whole files are written atomically (io/atomic_file.h); the progress bar is
// in progress_bar.h.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/device.h"

namespace idml::train {

class RunLog {
 public:
  // Creates the directory (and parents); appends to an existing metrics.jsonl (resume).
  explicit RunLog(std::string directory);
  const std::string& directory() const { return directory_; }
  std::string path(const std::string& file) const { return directory_ + "/" + file; }
  // config.json: `config` plus "engine": {name: value} of engine_settings(device).
  void write_config(const nlohmann::json& config, Device device) const;
  void append(const nlohmann::json& record);  // one line, flushed; a failure says why (strerror)
  bool has_epoch_line(int64_t epoch) const;    // an {"event": "epoch", "epoch": epoch} line exists
  // Deletes the *.tmp files a killed run left in the directory; returns how many.
  int remove_stale_temporaries() const;
  // recalls: (K, value in [0, 1]) pairs, written as percentages with 4 decimals.
  void write_best_results(const std::string& file, int64_t epoch,
                          const std::vector<std::pair<int64_t, double>>& recalls) const;

 private:
  std::string directory_;
  std::ofstream metrics_;
};

}  // namespace idml::train
