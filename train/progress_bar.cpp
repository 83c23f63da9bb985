// The progress line of a training epoch (see progress_bar.h).
#include "train/progress_bar.h"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace idml::train {

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
