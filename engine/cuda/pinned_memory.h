// Page-locked (pinned) host memory. The GPU copies from it by DMA at full
// PCIe/NVLink speed and without a CPU-side bounce. Every copy_from_host /
// copy_to_host of the backend goes through it (HostStaging), so the caller's
// pageable memory may be reused as soon as the call returns.
//
// Uploads go through a ring of pinned chunks whose position is kept from one
// upload to the next (staging_ring.h): 256 MiB by default, a few training
// steps' uploads (ResNet-50 at batch 120 and 224 px uploads 72 MB of images a
// step); IDML_PINNED_STAGING_MB changes it. A chunk is pinned when the ring
// first reaches it. Downloads wait for the stream anyway and use one chunk of
// their own. No CUDA header is needed to use this file.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "engine/cuda/staging_ring.h"

namespace idml::cuda {

// The backend's staging buffers.
class HostStaging {
 public:
  HostStaging();
  ~HostStaging() = default;  // lives as long as its backend, i.e. the process
  // dst (device) <- src (pageable host); returns once src has been read,
  // without waiting for the device unless the ring has come round to a chunk
  // whose copy is still queued.
  void to_device(void* stream, void* dst, const void* src, size_t nbytes);
  // dst (pageable host) <- src (device) after all queued work; synchronises the stream.
  void to_host(void* stream, void* dst, const void* src, size_t nbytes);

 private:
  static constexpr size_t kChunk = size_t(4) << 20;
  std::mutex mutex_;
  StagingRing ring_;
  std::vector<void*> chunk_;  // pinned, allocated on first use
  std::vector<void*> done_;   // cudaEvent_t: the copy out of chunk_[i] has finished
  void* download_ = nullptr;  // pinned, one chunk
};

}  // namespace idml::cuda
