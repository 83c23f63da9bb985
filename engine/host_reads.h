// One process-wide count of the reads of tensor values into host memory:
// every to_vector()/item(), every copy of a CUDA tensor to the CPU, and every
// index check that has to look at index values. On a GPU each of them waits
// for the device to finish all queued work, so a training step should do at
// most one (the loss for the log). The count runs on the CPU backend too: there
// it counts the same reads, the ones a GPU run of the same code would wait for,
// so a CPU test can hold a step to its budget (tests/engine/test_host_reads.cpp,
// tests/train/test_step_host_reads.cpp).
//
// Not counted: kernels reading their own CPU operands (no device involved),
// and to(Device::cpu()) of a tensor already on the CPU (no copy at all).
#pragma once

#include <cstdint>

namespace idml {

// Reads counted since the process started (thread-safe).
uint64_t host_read_count();
// Called by the engine at each such read.
void count_host_read();

// The reads done while one lives:
//   const HostReadScope scope;  step(...);  EXPECT_LE(scope.reads(), 1u);
class HostReadScope {
 public:
  HostReadScope() : start_(host_read_count()) {}
  uint64_t reads() const { return host_read_count() - start_; }

 private:
  uint64_t start_;
};

}  // namespace idml
