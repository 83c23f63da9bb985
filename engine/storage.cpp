// Tensor storage: one backend allocation, returned to its backend on
// destruction.
#include "engine/storage.h"

#include "engine/backend.h"

namespace idml {

Storage::Storage(size_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
  data_ = backend_for(device).allocate(nbytes);
}

Storage::~Storage() {
  if (data_) backend_for(device_).deallocate(data_, nbytes_);
}

}  // namespace idml
