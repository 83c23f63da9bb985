// Signal handling of `idml train`; see interrupt.h. The handler only touches a
// lock-free atomic and calls _exit, both async-signal-safe.
#include "train/interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>

namespace idml::train {
namespace {

std::atomic<bool> stop_flag{false};
std::atomic<int64_t> checks_until_stop{0};
struct sigaction previous_int, previous_term;

void on_signal(int) {
  if (stop_flag.exchange(true)) _exit(kInterruptedExitStatus);  // the second signal
  static const char message[] = "\nidml: interrupted: finishing the current step and saving "
                                "(interrupt again to quit at once)\n";
  (void)!write(STDERR_FILENO, message, sizeof message - 1);
}

}  // namespace

StopOnSignal::StopOnSignal() {
  stop_flag = false;
  struct sigaction action = {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous_int);
  sigaction(SIGTERM, &action, &previous_term);
}

StopOnSignal::~StopOnSignal() {
  sigaction(SIGINT, &previous_int, nullptr);
  sigaction(SIGTERM, &previous_term, nullptr);
}

bool stop_requested() {
  if (checks_until_stop > 0 && --checks_until_stop == 0) stop_flag = true;
  return stop_flag.load();
}

void request_stop() { stop_flag = true; }
void request_stop_at_check(int64_t n) { checks_until_stop = n; }

}  // namespace idml::train
