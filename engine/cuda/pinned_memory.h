// Page-locked (pinned) host memory. The GPU copies from it by DMA at full
// PCIe/NVLink speed and without a CPU-side bounce. Every copy_from_host /
// copy_to_host of the backend goes through a pair of pinned staging buffers
// (HostStaging), so the caller's pageable memory may be reused as soon as the
// call returns.
// No CUDA header is needed to use this file.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>

namespace idml::cuda {

// The backend's staging pair.
class HostStaging {
 public:
  HostStaging() = default;
  ~HostStaging() = default;  // lives as long as its backend, i.e. the process
  // dst (device) <- src (pageable host); returns once src has been read.
  void to_device(void* stream, void* dst, const void* src, size_t nbytes);
  // dst (pageable host) <- src (device) after all queued work; synchronises the stream.
  void to_host(void* stream, void* dst, const void* src, size_t nbytes);

 private:
  static constexpr size_t kChunk = size_t(16) << 20;
  void ensure_buffers();
  std::mutex mutex_;
  void* buffer_[2] = {nullptr, nullptr};
  void* done_[2] = {nullptr, nullptr};  // cudaEvent_t: the copy out of buffer_[i] has finished
};

}  // namespace idml::cuda
