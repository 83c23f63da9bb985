// Page-locked (pinned) host memory. The GPU copies from it by DMA at full
// PCIe/NVLink speed and without a CPU-side bounce, and copies from it can be
// asynchronous. Two users:
//   - HostStaging (internal): every copy_from_host/copy_to_host of the backend
//     goes through a pair of pinned staging buffers, so the caller's pageable
//     memory may be reused as soon as the call returns;
//   - PinnedHostBuffer (public, for the data loader): a batch assembled in
//     pinned memory goes to the GPU with copy_to_device_async, with no
//     staging copy; the buffer waits for that copy before it is written again.
// No CUDA header is needed to use this file.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>

namespace idml::cuda {

class PinnedHostBuffer {
 public:
  // Throws idml::Error when there is no GPU or pinning fails.
  explicit PinnedHostBuffer(size_t nbytes);
  ~PinnedHostBuffer();
  PinnedHostBuffer(const PinnedHostBuffer&) = delete;
  PinnedHostBuffer& operator=(const PinnedHostBuffer&) = delete;

  // For writing: first waits until no queued copy reads the buffer.
  void* data();
  // For reading (no wait).
  const void* data() const { return data_; }
  size_t size() const { return size_; }
  // Blocks until every copy issued from this buffer has finished.
  void wait_for_copies() const;

 private:
  friend void copy_to_device_async(int, void*, PinnedHostBuffer&, size_t);
  void* data_ = nullptr;
  size_t size_ = 0;
  void* copy_done_ = nullptr;  // cudaEvent_t recorded after the last copy from this buffer
  int event_device_ = -1;      // events belong to one device: made on the device of the copy
};

// Queues dst (on device `device_index`) <- src[0, nbytes) on that device's
// stream and returns at once; kernels queued later see the data.
void copy_to_device_async(int device_index, void* dst, PinnedHostBuffer& src, size_t nbytes);

// The backend's staging pair (internal; see above).
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
