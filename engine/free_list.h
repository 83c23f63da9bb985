// Freed blocks kept by size class for reuse: the part that the CPU host
// allocator (engine/cpu/host_allocator) and the CUDA caching allocator
// (engine/cuda/caching_allocator) share; each rounds sizes to its own
// classes. Not thread-safe: the owning allocator holds its lock.
#pragma once

#include <cstddef>
#include <unordered_map>
#include <vector>

namespace idml {

class FreeList {
 public:
  // A cached block of exactly `size` bytes (a size class), or nullptr.
  void* take(size_t size) {
    auto it = blocks_.find(size);
    if (it == blocks_.end() || it->second.empty()) return nullptr;
    void* block = it->second.back();
    it->second.pop_back();
    cached_bytes_ -= size;
    return block;
  }

  void put(void* block, size_t size) {
    blocks_[size].push_back(block);
    cached_bytes_ += size;
  }

  // Calls release(block) for every cached block, then forgets them all.
  template <typename Release>
  void release_all(Release&& release) {
    for (auto& entry : blocks_)
      for (void* block : entry.second) release(block);
    blocks_.clear();
    cached_bytes_ = 0;
  }

  size_t cached_bytes() const { return cached_bytes_; }

 private:
  std::unordered_map<size_t, std::vector<void*>> blocks_;  // size class -> blocks
  size_t cached_bytes_ = 0;
};

}  // namespace idml
