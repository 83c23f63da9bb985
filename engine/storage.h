// A block of memory on one device, owned by the backend that allocated it,
// and the physical layout its bytes are in. Tensors hold it through
// shared_ptr; views share it.
//
// The layout (PyTorch's memory_format) is null for the tensor's plain
// row-major layout (NCHW for images). A kernel that keeps its output in its own
// layout (oneDNN's blocked nChw16c, so that the next convolution reads it
// without a reorder) tags the storage it just wrote, before the tensor leaves
// its op (Tensor::set_stored_layout). From then on the layout never changes:
// reading never converts, and a tensor in another layout is a new tensor made
// by a named conversion (to_plain, to_layout: engine/ops.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/device.h"

namespace idml {

// A backend's own arrangement of a storage's bytes: a permutation of the
// plain layout's elements (same size, no padding).
class StoredLayout {
 public:
  virtual ~StoredLayout() = default;
  // What Tensor::str() prints, e.g. "oneDNN nChw16c".
  virtual std::string name() const = 0;
  // Writes the plain row-major bytes of `stored` (in this layout) to `plain`.
  virtual void to_plain(const void* stored, void* plain) const = 0;
  // Writes the plain row-major bytes `plain` to `stored`, in this layout.
  virtual void from_plain(const void* plain, void* stored) const = 0;
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

  // The bytes as stored, in layout().
  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }
  // Null: plain row-major.
  const std::shared_ptr<const StoredLayout>& layout() const { return layout_; }
  // The bytes were just written in `layout` by the kernel that produced them
  // (Tensor::set_stored_layout checks that nothing else holds them yet).
  void set_layout(std::shared_ptr<const StoredLayout> layout) { layout_ = std::move(layout); }

  // For int64 storages filled from host values (from_host, and index_select /
  // narrow of such a tensor): the smallest and largest value, so an index check
  // needs no read of device memory (engine/ops/indexing.cpp). Kernels write only
  // fresh storages; Tensor::copy_ into a storage drops its range.
  struct ValueRange {
    int64_t min, max;
  };
  const std::optional<ValueRange>& host_known_range() const { return host_known_range_; }
  void set_host_known_range(std::optional<ValueRange> range) { host_known_range_ = range; }

 private:
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  Device device_;
  std::shared_ptr<const StoredLayout> layout_;
  std::optional<ValueRange> host_known_range_;
};

}  // namespace idml
