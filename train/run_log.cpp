// The run directory's files: config.json, metrics.jsonl, the best-results file
// (see run_log.h).
#include "train/run_log.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "engine/error.h"
#include "engine/settings.h"
#include "io/atomic_file.h"

namespace idml::train {

RunLog::RunLog(std::string directory) : directory_(std::move(directory)) {
  std::error_code error;
  std::filesystem::create_directories(directory_, error);
  IDML_CHECK(!error, "cannot create the log directory ", directory_, ": ", error.message());
  // A line torn by a kill is ended, so the next record starts a line of its own.
  std::string last_char;
  {
    std::ifstream existing(path("metrics.jsonl"), std::ios::binary | std::ios::ate);
    if (existing && existing.tellg() > 0) {
      existing.seekg(-1, std::ios::end);
      last_char.assign(1, static_cast<char>(existing.get()));
    }
  }
  metrics_.open(path("metrics.jsonl"), std::ios::app);
  IDML_CHECK(metrics_.good(), "cannot open ", path("metrics.jsonl"), " for writing: ", std::strerror(errno));
  if (!last_char.empty() && last_char != "\n") metrics_ << "\n";
}

int RunLog::remove_stale_temporaries() const {
  int removed = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory_, error)) {
    if (entry.path().extension() == ".tmp" && entry.is_regular_file(error) &&
        std::filesystem::remove(entry.path(), error))
      ++removed;
  }
  return removed;
}

bool RunLog::has_epoch_line(int64_t epoch) const {
  std::ifstream in(path("metrics.jsonl"));
  std::string line;
  while (std::getline(in, line)) {
    const nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_object() && record.value("event", "") == "epoch" && record.value("epoch", int64_t{-2}) == epoch)
      return true;
  }
  return false;
}

void RunLog::write_config(const nlohmann::json& config, Device device) const {
  nlohmann::json out = config;
  nlohmann::json& engine = out["engine"] = nlohmann::json::object();
  for (const EngineSetting& setting : engine_settings(device)) engine[setting.name] = setting.value;
  io::write_file_atomically(path("config.json"), out.dump(2) + "\n");
}

void RunLog::append(const nlohmann::json& record) {
  metrics_ << record.dump() << "\n";
  metrics_.flush();
  IDML_CHECK(metrics_.good(), "writing ", path("metrics.jsonl"), " failed: ", std::strerror(errno));
}

void RunLog::write_best_results(const std::string& file, int64_t epoch,
                                const std::vector<std::pair<int64_t, double>>& recalls) const {
  std::string text = "Best Epoch: " + std::to_string(epoch) + "\n";
  char line[64];
  for (const auto& [k, value] : recalls) {
    std::snprintf(line, sizeof line, "Best Recall@%lld: %.4f\n", static_cast<long long>(k), 100.0 * value);
    text += line;
  }
  io::write_file_atomically(path(file), text);
}

}  // namespace idml::train
