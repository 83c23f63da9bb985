#include "engine/cuda/pinned_memory.h"

#include <algorithm>
#include <cstring>

#include "engine/cuda/cuda_backend.h"
#include "engine/cuda/cuda_check.h"
#include "engine/cuda/cuda_device_backend.h"

namespace idml::cuda {

PinnedHostBuffer::PinnedHostBuffer(size_t nbytes) : size_(nbytes) {
  IDML_CHECK(device_count() > 0, "PinnedHostBuffer: no CUDA device: ", unavailable_reason());
  IDML_CUDA_CHECK(cudaHostAlloc(&data_, std::max<size_t>(nbytes, 1), cudaHostAllocPortable));
}

PinnedHostBuffer::~PinnedHostBuffer() {
  // Destructors do not throw: statuses are ignored here.
  if (copy_done_) {
    cudaEventSynchronize(static_cast<cudaEvent_t>(copy_done_));
    cudaEventDestroy(static_cast<cudaEvent_t>(copy_done_));
  }
  cudaFreeHost(data_);
}

void PinnedHostBuffer::wait_for_copies() const {
  if (copy_done_) IDML_CUDA_CHECK(cudaEventSynchronize(static_cast<cudaEvent_t>(copy_done_)));
}

void* PinnedHostBuffer::data() {
  wait_for_copies();
  return data_;
}

void copy_to_device_async(int device_index, void* dst, PinnedHostBuffer& src, size_t nbytes) {
  IDML_CHECK(nbytes <= src.size(), "copy_to_device_async: ", nbytes, " bytes asked from a pinned buffer of ",
             src.size());
  if (nbytes == 0) return;
  auto& backend = static_cast<CudaBackend&>(backend_for_device(device_index));
  DeviceGuard guard(device_index);
  if (src.event_device_ != device_index) {  // first copy, or a copy to another device than the last
    src.wait_for_copies();
    if (src.copy_done_) IDML_CUDA_CHECK(cudaEventDestroy(static_cast<cudaEvent_t>(src.copy_done_)));
    src.copy_done_ = nullptr;
    cudaEvent_t event;
    IDML_CUDA_CHECK(cudaEventCreateWithFlags(&event, cudaEventDisableTiming));
    src.copy_done_ = event;
    src.event_device_ = device_index;
  }
  IDML_CUDA_CHECK(cudaMemcpyAsync(dst, src.data_, nbytes, cudaMemcpyHostToDevice, backend.stream()));
  IDML_CUDA_CHECK(cudaEventRecord(static_cast<cudaEvent_t>(src.copy_done_), backend.stream()));
}

void HostStaging::ensure_buffers() {
  if (buffer_[0]) return;
  for (int i = 0; i < 2; ++i) {
    IDML_CUDA_CHECK(cudaHostAlloc(&buffer_[i], kChunk, cudaHostAllocPortable));
    cudaEvent_t event;
    IDML_CUDA_CHECK(cudaEventCreateWithFlags(&event, cudaEventDisableTiming));
    done_[i] = event;
  }
}

void HostStaging::to_device(void* stream_ptr, void* dst, const void* src, size_t nbytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  ensure_buffers();
  auto stream = static_cast<cudaStream_t>(stream_ptr);
  // Chunks alternate between the two buffers: the host fills one while the
  // DMA engine drains the other.
  int which = 0;
  for (size_t offset = 0; offset < nbytes; offset += kChunk, which ^= 1) {
    const size_t len = std::min(kChunk, nbytes - offset);
    auto event = static_cast<cudaEvent_t>(done_[which]);
    IDML_CUDA_CHECK(cudaEventSynchronize(event));
    std::memcpy(buffer_[which], static_cast<const char*>(src) + offset, len);
    IDML_CUDA_CHECK(cudaMemcpyAsync(static_cast<char*>(dst) + offset, buffer_[which], len, cudaMemcpyHostToDevice,
                                    stream));
    IDML_CUDA_CHECK(cudaEventRecord(event, stream));
  }
}

void HostStaging::to_host(void* stream_ptr, void* dst, const void* src, size_t nbytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  ensure_buffers();
  auto stream = static_cast<cudaStream_t>(stream_ptr);
  for (size_t offset = 0; offset < nbytes; offset += kChunk) {
    const size_t len = std::min(kChunk, nbytes - offset);
    IDML_CUDA_CHECK(cudaMemcpyAsync(buffer_[0], static_cast<const char*>(src) + offset, len, cudaMemcpyDeviceToHost,
                                    stream));
    IDML_CUDA_CHECK(cudaStreamSynchronize(stream));
    std::memcpy(static_cast<char*>(dst) + offset, buffer_[0], len);
  }
}

}  // namespace idml::cuda
