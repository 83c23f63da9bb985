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
    auto it = free_blocks_.find(size);
    if (it != free_blocks_.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      cached_bytes_ -= size;
      return p;
    }
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
    if (cached_bytes_ + size <= kCacheLimit) {
      free_blocks_[size].push_back(ptr);
      cached_bytes_ += size;
      return;
    }
  }
  std::free(ptr);
}

void HostAllocator::empty_cache() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [size, blocks] : free_blocks_)
    for (void* p : blocks) std::free(p);
  free_blocks_.clear();
  cached_bytes_ = 0;
}

size_t HostAllocator::cached_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return cached_bytes_;
}

HostAllocator::~HostAllocator() { empty_cache(); }

}  // namespace idml::cpu
