// The training progress line on stderr: redrawn in place on a terminal
// ("[####....] epoch 1/3  step 5/12  loss ...  ETA mm:ss"), a plain line
// every 10 s otherwise (a log file).
#pragma once

#include <chrono>
#include <cstdint>

namespace idml::train {

class ProgressBar {
 public:
  ProgressBar(int64_t epoch, int64_t epochs, int64_t steps);
  void update(int64_t step, double loss, double images_per_second);
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  int64_t epoch_, epochs_, steps_;
  bool terminal_;
  Clock::time_point start_, last_line_;
};

}  // namespace idml::train
