#include "train/run_log.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "engine/error.h"

namespace idml::train {

void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    IDML_CHECK(out.good(), "cannot write ", temporary, ": ", std::strerror(errno));
    out << text;
    out.flush();
    IDML_CHECK(out.good(), "writing ", temporary, " failed: ", std::strerror(errno));
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  IDML_CHECK(!error, "cannot rename ", temporary, " to ", path, ": ", error.message());
}

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

void RunLog::write_config(const nlohmann::json& config) const {
  write_file_atomically(path("config.json"), config.dump(2) + "\n");
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
  write_file_atomically(path(file), text);
}

ProgressBar::ProgressBar(int64_t epoch, int64_t epochs, int64_t steps)
    : epoch_(epoch), epochs_(epochs), steps_(steps), terminal_(isatty(STDERR_FILENO)), start_(Clock::now()),
      last_line_(start_) {}

void ProgressBar::update(int64_t step, double loss, double images_per_second) {
  const auto now = Clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double eta = step > 0 ? elapsed / step * (steps_ - step) : 0.0;
  char text[200];
  std::snprintf(text, sizeof text, "epoch %lld/%lld  step %lld/%lld  loss %.4f  %.1f img/s  ETA %02d:%02d",
                static_cast<long long>(epoch_ + 1), static_cast<long long>(epochs_), static_cast<long long>(step),
                static_cast<long long>(steps_), loss, images_per_second, static_cast<int>(eta) / 60,
                static_cast<int>(eta) % 60);
  if (terminal_) {
    const int width = 24;
    const int filled = steps_ > 0 ? static_cast<int>(width * step / steps_) : width;
    std::fprintf(stderr, "\r[%s%s] %s\033[K", std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), text);
  } else if (step == steps_ || std::chrono::duration<double>(now - last_line_).count() >= 10.0) {
    std::fprintf(stderr, "%s\n", text);  // a log file gets a line every 10 s
    last_line_ = now;
  }
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (terminal_) std::fprintf(stderr, "\n");
}

}  // namespace idml::train
