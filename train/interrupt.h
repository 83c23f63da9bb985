// Ctrl-C for `idml train`: while a StopOnSignal is alive, the first SIGINT or
// SIGTERM only sets a flag (the trainer finishes its current step, saves a
// resumable checkpoint and throws TrainingInterrupted); a second one exits at
// once with status 130.
#pragma once

#include <cstdint>
#include <string>

#include "engine/error.h"

namespace idml::train {

constexpr int kInterruptedExitStatus = 130;  // 128 + SIGINT, as shells report it

class StopOnSignal {
 public:
  StopOnSignal();   // installs the handlers and clears the flag
  ~StopOnSignal();  // restores the previous handlers
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;
};

bool stop_requested();  // the trainer asks once per step and once per epoch
void request_stop();    // what the first signal does
// For tests: the n-th stop_requested() call from now returns true (a signal
// at an exact, repeatable point); 0 cancels.
void request_stop_at_check(int64_t n);

// Thrown after the interrupted run's checkpoint is written; what() says how to resume.
struct TrainingInterrupted : Error {
  using Error::Error;
};

}  // namespace idml::train
