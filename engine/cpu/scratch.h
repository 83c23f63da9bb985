// Uninitialised scratch memory from the CPU backend's caching allocator, for
// the buffers a kernel needs only while it runs (im2col's column matrices,
// operands reordered into oneDNN's layouts): a zero-filled std::vector would
// cost a memset and fresh pages per call.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/backend.h"

namespace idml::cpu {

template <typename T>
class Scratch {
 public:
  Scratch(Backend& backend, int64_t count)
      : backend_(backend), bytes_(static_cast<size_t>(count) * sizeof(T)),
        data_(count > 0 ? static_cast<T*>(backend.allocate(bytes_)) : nullptr) {}
  ~Scratch() {
    if (data_) backend_.deallocate(data_, bytes_);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  T* data() const { return data_; }

 private:
  Backend& backend_;
  size_t bytes_;
  T* data_;
};

}  // namespace idml::cpu
