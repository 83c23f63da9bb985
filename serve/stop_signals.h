// SIGINT and SIGTERM for `idml serve`: the first one calls `on_first` (the
// server's graceful stop), a second one ends the process at once (status 130).
// The signals are blocked in the constructing thread, and so in every thread
// started after it, and taken by one waiting thread (sigwait): no connection
// thread is interrupted in a system call, and `on_first` runs as ordinary
// code, not in a signal handler. Construct it before any other thread starts.
#pragma once

#include <signal.h>

#include <atomic>
#include <functional>
#include <thread>

namespace idml::serve {

class StopSignals {
 public:
  explicit StopSignals(std::function<void(int signal)> on_first);
  ~StopSignals();  // stops the waiting thread and unblocks the signals
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  sigset_t signals_{}, previous_mask_{};
  std::function<void(int)> on_first_;
  std::atomic<bool> done_{false};  // the destructor's wake-up, not a user's signal
  std::thread waiter_;
};

}  // namespace idml::serve
