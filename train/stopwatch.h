// Wall-clock seconds since a steady_clock time point: the timings a run
// logs (epoch, evaluation, k-means phases, images per second).
#pragma once

#include <chrono>

namespace idml::train {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace idml::train
