// A block of memory on one device, owned by the backend that allocated it.
// Tensors hold it through shared_ptr; views share it.
#pragma once

#include <cstddef>
#include <memory>

#include "engine/device.h"

namespace idml {

class Storage {
 public:
  Storage(size_t nbytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

 private:
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  Device device_;
};

}  // namespace idml
