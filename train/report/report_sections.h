// The sections of the run report (see run_report.h), each an HTML fragment.
// Epochs are shown 1-based as `idml train` prints them; 0 is "before training".
#pragma once

#include <string>
#include <vector>

#include "train/report/run_report.h"

namespace idml::report {

// Metric names found in the records' "eval" and "seen" objects, in reading
// order: R@K by K, then NMI, F1, RP, MAP@R, then any others.
std::vector<std::string> metric_names(const RunRecords& records);

// The 0-based epoch with the best eval R@1 (the first one reaching it), -1 if none.
int64_t best_epoch_of(const RunRecords& records);

std::string header_section(const std::string& run_directory, const RunRecords& records, int64_t best_epoch);
std::string config_section(const RunRecords& records);
std::string curves_section(const RunRecords& records, int64_t best_epoch);
std::string epochs_table_section(const RunRecords& records, int64_t best_epoch);

// Gallery, per-class Recall@1 and, for a proxy loss, proxy margins from `checkpoint` (the best model).
std::string checkpoint_sections(const nlohmann::json& config, const std::string& checkpoint,
                                const ReportOptions& options);
// Stand-in when the run has no best checkpoint yet.
std::string no_checkpoint_sections(const nlohmann::json& config);

// Whether the run's loss (config.json's "loss") has proxies, hence a proxy-margin section.
bool run_has_proxies(const nlohmann::json& config);

}  // namespace idml::report
