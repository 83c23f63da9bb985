// Assembling the run report: records, the (cached) checkpoint sections, one page.
#include "train/report/run_report.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/error.h"
#include "train/report/html.h"
#include "train/report/report_sections.h"
#include "io/atomic_file.h"

namespace idml::report {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCacheFile = "report_checkpoint_sections.html";

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  IDML_CHECK(in.good(), "cannot read ", path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The best checkpoint of the run (`*_best.safetensors`), or "" if none yet.
std::string best_checkpoint(const std::string& run_directory, const nlohmann::json& config) {
  const std::string named = run_directory + "/" + config.value("dataset", std::string()) + "_" +
                            config.value("model", std::string()) + "_best.safetensors";
  if (fs::exists(named)) return named;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(run_directory, error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 17 && name.compare(name.size() - 17, 17, "_best.safetensors") == 0) return entry.path().string();
  }
  return "";
}

// Identifies the checkpoint file and every option the sections depend on.
std::string cache_key(const std::string& checkpoint, const ReportOptions& o) {
  std::error_code error;
  const auto size = fs::file_size(checkpoint, error);
  const auto time = fs::last_write_time(checkpoint, error).time_since_epoch().count();
  std::ostringstream key;
  key << fs::path(checkpoint).filename().string() << " " << size << " " << time << " q" << o.random_queries << " w"
      << o.worst_queries << " k" << o.neighbours << " t" << o.thumbnail_size << " m" << o.margin_samples << " s"
      << o.seed;
  return "<!-- idml report cache: " + key.str() + " -->\n";
}

std::string cached_checkpoint_sections(const std::string& run_directory, const nlohmann::json& config,
                                       const std::string& checkpoint, const ReportOptions& options) {
  const std::string cache = run_directory + "/" + kCacheFile;
  const std::string key = cache_key(checkpoint, options);
  if (options.use_cache && fs::exists(cache)) {
    const std::string text = read_text(cache);
    if (text.compare(0, key.size(), key) == 0) return text.substr(key.size());
  }
  const std::string sections = checkpoint_sections(config, checkpoint, options);
  io::write_file_atomically(cache, key + sections);
  return sections;
}

}  // namespace

RunRecords read_run_records(const std::string& run_directory) {
  IDML_CHECK(fs::is_directory(run_directory), "report: run directory ", run_directory, " does not exist");
  const std::string config_path = run_directory + "/config.json";
  IDML_CHECK(fs::exists(config_path), "report: ", run_directory,
             " is not a run directory of `idml train` (no config.json)");
  RunRecords records;
  try {
    records.config = nlohmann::json::parse(read_text(config_path));
  } catch (const nlohmann::json::exception& e) {
    throw Error("report: " + config_path + " is not valid JSON: " + e.what());
  }
  const std::string metrics_path = run_directory + "/metrics.jsonl";
  IDML_CHECK(fs::exists(metrics_path), "report: ", run_directory, " has no metrics.jsonl");
  std::ifstream in(metrics_path);
  int line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (line.empty()) continue;
    nlohmann::json record;
    try {
      record = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      // A line cut short by a run that is writing it right now: the rest is still readable.
      if (in.peek() == EOF) break;
      throw Error("report: " + metrics_path + " line " + std::to_string(line_number) + " is not JSON: " + e.what());
    }
    const std::string event = record.value("event", std::string());
    if (event == "epoch") records.epochs.push_back(record);
    else if (event == "eval") records.evals.push_back(record);
  }
  return records;
}

std::string write_run_report(const std::string& run_directory, const ReportOptions& options) {
  const RunRecords records = read_run_records(run_directory);
  const int64_t best_epoch = best_epoch_of(records);
  const std::string checkpoint = best_checkpoint(run_directory, records.config);
  std::ostringstream page;
  page << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>idml report: "
       << html_escape(fs::path(run_directory).filename().string()) << "</title>\n<style>" << page_style()
       << "</style></head><body>\n";
  page << header_section(run_directory, records, best_epoch);
  page << "<p class=\"sub\"><a href=\"#config\">configuration</a> &middot; <a href=\"#curves\">curves</a> &middot; "
          "<a href=\"#epochs\">epochs</a> &middot; <a href=\"#gallery\">gallery</a> &middot; <a href=\"#classes\">"
          "per-class R@1</a>"
       << (run_has_proxies(records.config) ? " &middot; <a href=\"#margins\">proxy margins</a>" : "") << "</p>\n";
  page << config_section(records);
  page << curves_section(records, best_epoch);
  page << epochs_table_section(records, best_epoch);
  page << (checkpoint.empty() ? no_checkpoint_sections(records.config)
                              : cached_checkpoint_sections(run_directory, records.config, checkpoint, options));
  page << "</body></html>\n";
  const std::string out = options.out.empty() ? run_directory + "/report.html" : options.out;
  io::write_file_atomically(out, page.str());
  return out;
}

}  // namespace idml::report
