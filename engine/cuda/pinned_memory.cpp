// The backend's pinned staging pair (HostStaging): every host <-> device copy
// goes through it in chunks.
#include "engine/cuda/pinned_memory.h"

#include <algorithm>
#include <cstring>

#include "engine/cuda/cuda_backend.h"
#include "engine/cuda/cuda_check.h"
#include "engine/cuda/cuda_device_backend.h"

namespace idml::cuda {

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
