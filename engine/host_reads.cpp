// The process-wide count of host reads (engine/host_reads.h).
#include "engine/host_reads.h"

#include <atomic>

namespace idml {

namespace {
std::atomic<uint64_t> reads{0};
}  // namespace

uint64_t host_read_count() { return reads.load(std::memory_order_relaxed); }

void count_host_read() { reads.fetch_add(1, std::memory_order_relaxed); }

}  // namespace idml
