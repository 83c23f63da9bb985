// A caching allocator for host tensor memory. Training allocates the same
// activation sizes every step; returning them to the OS and faulting fresh
// pages back in costs more than the arithmetic of many ops. Large blocks are
// kept in free lists by (rounded) size and reused; small ones go to malloc,
// which already caches them. Thread-safe.
#pragma once

#include <cstddef>
#include <mutex>

#include "engine/free_list.h"

namespace idml::cpu {

class HostAllocator {
 public:
  // Blocks this large or larger are cached.
  static constexpr size_t kCachedMinimum = size_t(1) << 16;
  // Cached free bytes beyond this are returned to the system.
  static constexpr size_t kCacheLimit = size_t(4) << 30;

  void* allocate(size_t nbytes);
  void deallocate(void* ptr, size_t nbytes);
  void empty_cache();  // returns every cached block
  size_t cached_bytes() const;

  ~HostAllocator();

 private:
  static size_t rounded(size_t nbytes);
  mutable std::mutex mutex_;
  FreeList free_blocks_;
};

}  // namespace idml::cpu
