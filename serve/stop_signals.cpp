// SIGINT/SIGTERM taken by a waiting thread; see stop_signals.h.
#include "serve/stop_signals.h"

#include <pthread.h>
#include <unistd.h>

namespace idml::serve {

StopSignals::StopSignals(std::function<void(int)> on_first) : on_first_(std::move(on_first)) {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals_, &previous_mask_);
  waiter_ = std::thread([this] {
    for (int count = 0;;) {
      int signal = 0;
      if (sigwait(&signals_, &signal) != 0) continue;
      if (done_) return;
      if (++count == 1) {
        on_first_(signal);
      } else {
        static const char kMessage[] = "idml serve: second signal, quitting at once\n";
        (void)!write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
        _exit(130);
      }
    }
  });
}

StopSignals::~StopSignals() {
  done_ = true;
  pthread_kill(waiter_.native_handle(), SIGTERM);  // blocked there, so sigwait takes it
  waiter_.join();
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

}  // namespace idml::serve
