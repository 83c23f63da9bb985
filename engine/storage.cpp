// Tensor storage: one backend allocation, returned to its backend on
// destruction; converted to the plain layout on first plain access.
#include "engine/storage.h"

#include "engine/backend.h"

namespace idml {

Storage::Storage(size_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
  data_ = backend_for(device).allocate(nbytes);
}

Storage::~Storage() {
  if (data_) backend_for(device_).deallocate(data_, nbytes_);
}

std::shared_ptr<const StoredLayout> Storage::layout() const {
  std::lock_guard<std::mutex> lock(layout_mutex_);
  return layout_;
}

void Storage::set_layout(std::shared_ptr<const StoredLayout> layout) {
  std::lock_guard<std::mutex> lock(layout_mutex_);
  layout_ = std::move(layout);
  has_layout_.store(layout_ != nullptr, std::memory_order_release);
}

// Into a fresh buffer, which then replaces the stored one: no pointer to the
// stored bytes outlives the kernel that read them, so nothing dangles.
void Storage::convert_to_plain() const {
  std::lock_guard<std::mutex> lock(layout_mutex_);
  if (!layout_) return;  // another thread converted it first
  Backend& backend = backend_for(device_);
  void* plain = backend.allocate(nbytes_);
  layout_->to_plain(data_, plain);
  backend.deallocate(data_, nbytes_);
  data_ = plain;
  layout_.reset();
  has_layout_.store(false, std::memory_order_release);
}

}  // namespace idml
