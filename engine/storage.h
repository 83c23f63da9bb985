// A block of memory on one device, owned by the backend that allocated it.
// Tensors hold it through shared_ptr; views share it.
//
// A storage's bytes are in the tensor's plain row-major layout, except right
// after a kernel that keeps its output in its own layout (oneDNN's blocked
// nChw16c, so that the next convolution reads it without a reorder): then
// `layout()` says which, and the first data() call converts the bytes to the
// plain layout. Only kernels that know the layout read data_as_stored(), and
// elementwise ops whose operands are all held in one layout.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "engine/device.h"

namespace idml {

// A backend's own arrangement of a storage's bytes: a permutation of the
// plain layout's elements (same size, no padding).
class StoredLayout {
 public:
  virtual ~StoredLayout() = default;
  // Writes the plain row-major bytes of `stored` (in this layout) to `plain`.
  virtual void to_plain(const void* stored, void* plain) const = 0;
  // Whether `other` puts every element where this layout does. An elementwise
  // op of same-shaped tensors held in the same layout then runs on the stored
  // bytes and leaves its output in that layout too (engine/ops/elementwise.cpp).
  virtual bool same_as(const StoredLayout& other) const { return this == &other; }
  // For an (N, C, H, W) tensor held as (N, C/b, H, W, b), channels in blocks
  // of b innermost (oneDNN's nChw16c and nChw8c): b, else 0. Kernels that
  // know that arrangement (max pooling) then read it as it is.
  virtual int64_t channel_block() const { return 0; }
  // The same arrangement for an (N, C, H, W) tensor of other dims, for such a
  // kernel's output (null where there is none).
  virtual std::shared_ptr<const StoredLayout> with_dims(const std::vector<int64_t>& dims) const { return nullptr; }
};

class Storage {
 public:
  Storage(size_t nbytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  // The bytes in the plain layout (converted first if a kernel left them in its own).
  void* data() const {
    if (has_layout_.load(std::memory_order_acquire)) convert_to_plain();
    return data_;
  }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

  // For kernels that read their own layouts: the bytes as they are, and their
  // layout (null: plain). The layout is copied under the lock, so it stays
  // alive while the kernel uses it.
  void* data_as_stored() const { return data_; }
  std::shared_ptr<const StoredLayout> layout() const;
  // The bytes were just written in `layout` (by the kernel that produced them).
  void set_layout(std::shared_ptr<const StoredLayout> layout);

 private:
  void convert_to_plain() const;

  mutable void* data_ = nullptr;
  size_t nbytes_ = 0;
  Device device_;
  mutable std::atomic<bool> has_layout_{false};
  mutable std::mutex layout_mutex_;
  mutable std::shared_ptr<const StoredLayout> layout_;
};

}  // namespace idml
