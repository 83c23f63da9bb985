// Device memory for one GPU through a caching allocator: freed blocks go to
// a free list of their size class and are handed out again, so a training
// step in steady state calls cudaMalloc not at all.
//
// All work of a device runs on its one stream, so a block freed by the host
// while kernels still read it can be reused at once: the next user's kernels
// are queued behind the old ones. On cudaMalloc failure every cached block is
// released and the allocation retried once. Thread-safe. No CUDA header here
// (the CPU tests of engine/cuda/ include it).
#pragma once

#include <cstddef>
#include <mutex>

#include "engine/error.h"
#include "engine/free_list.h"

namespace idml::cuda {

// The device has no room for an allocation, even with the cache released.
// Callers with a cheaper way (a convolution algorithm with less workspace) catch it.
class DeviceOutOfMemory : public Error {
 public:
  using Error::Error;
};

class CachingAllocator {
 public:
  explicit CachingAllocator(int device) : device_(device) {}
  ~CachingAllocator() = default;  // backends live for the whole process: blocks are never returned at exit
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;

  // nullptr for 0 bytes; throws DeviceOutOfMemory when the device is out of memory.
  void* allocate(size_t nbytes);
  // `nbytes` as given to allocate(). Never throws (called from destructors).
  void deallocate(void* ptr, size_t nbytes);
  // Gives the block straight back to the driver instead of the cache, for
  // large one-off buffers that would rarely be reused at their exact size
  // (cuDNN's algorithm search workspace). Waits for the device (cudaFree).
  void free_now(void* ptr, size_t nbytes);
  // cudaFree of every cached block.
  void release_cached();

  size_t allocated_bytes() const;
  size_t cached_bytes() const;
  size_t device_mallocs() const;
  size_t peak_allocated_bytes() const;

  // Block size handed out for a request: multiples of 512 bytes up to 1 MiB,
  // above that 8 steps per power of two (at most 12.5% slack).
  static size_t size_class(size_t nbytes) {
    constexpr size_t kSmall = size_t(1) << 20;
    if (nbytes <= kSmall) return (nbytes + 511) / 512 * 512;
    size_t power = kSmall;
    while (power * 2 < nbytes) power *= 2;  // power < nbytes <= 2 power
    const size_t step = power / 8;
    return (nbytes + step - 1) / step * step;
  }

 private:
  void release_cached_locked();

  int device_;
  mutable std::mutex mutex_;
  FreeList free_blocks_;
  size_t allocated_bytes_ = 0;
  size_t device_mallocs_ = 0;
  size_t peak_allocated_bytes_ = 0;
};

}  // namespace idml::cuda
