// The host caching allocator (host_allocator.h): 64-byte aligned blocks,
// large ones kept in a size-class free list up to a cache limit.
#include "engine/cpu/host_allocator.h"

#include <cstdlib>
#include <string>

#include "engine/error.h"

namespace idml::cpu {

size_t HostAllocator::rounded(size_t nbytes) {
  // 64-byte alignment for small blocks; 64 KiB granules for cached ones, so
  // that nearby sizes share a free list.
  if (nbytes < kCachedMinimum) return (nbytes + 63) / 64 * 64;
  return (nbytes + kCachedMinimum - 1) / kCachedMinimum * kCachedMinimum;
}

void* HostAllocator::allocate(size_t nbytes) {
  const size_t size = rounded(nbytes);
  if (size >= kCachedMinimum) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (void* p = free_blocks_.take(size)) return p;
  }
  void* p = std::aligned_alloc(64, size);
  if (!p && cached_bytes() > 0) {  // give the cache back and try once more
    empty_cache();
    p = std::aligned_alloc(64, size);
  }
  if (!p) throw Error("cpu: out of memory allocating " + std::to_string(nbytes) + " bytes");
  return p;
}

void HostAllocator::deallocate(void* ptr, size_t nbytes) {
  const size_t size = rounded(nbytes);
  if (size >= kCachedMinimum) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (free_blocks_.cached_bytes() + size <= kCacheLimit) {
      free_blocks_.put(ptr, size);
      return;
    }
  }
  std::free(ptr);
}

void HostAllocator::empty_cache() {
  std::lock_guard<std::mutex> lock(mutex_);
  free_blocks_.release_all([](void* p) { std::free(p); });
}

size_t HostAllocator::cached_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return free_blocks_.cached_bytes();
}

HostAllocator::~HostAllocator() { empty_cache(); }

}  // namespace idml::cpu
