// The backend's pinned staging (HostStaging): uploads through the ring of
// staging_ring.h, downloads through a chunk of their own.
#include "engine/cuda/pinned_memory.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "engine/cuda/cuda_check.h"
#include "engine/cuda/cuda_device_backend.h"

namespace idml::cuda {

namespace {

size_t ring_chunks(size_t chunk_bytes) {
  size_t megabytes = 256;
  if (const char* v = std::getenv("IDML_PINNED_STAGING_MB")) {
    char* end = nullptr;
    const long parsed = std::strtol(v, &end, 10);
    IDML_CHECK(end != v && *end == '\0' && parsed >= 8 && parsed <= 65536,
               "IDML_PINNED_STAGING_MB must be a number of MiB from 8 to 65536, got '", v, "'");
    megabytes = static_cast<size_t>(parsed);
  }
  return std::max<size_t>(2, (megabytes << 20) / chunk_bytes);
}

}  // namespace

HostStaging::HostStaging()
    : ring_(ring_chunks(kChunk), kChunk), chunk_(ring_.chunks(), nullptr), done_(ring_.chunks(), nullptr) {}

void HostStaging::to_device(void* stream_ptr, void* dst, const void* src, size_t nbytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto stream = static_cast<cudaStream_t>(stream_ptr);
  // The host fills one chunk while the DMA engine drains the ones before it.
  for (const StagingRing::Piece& piece : ring_.take(nbytes)) {
    if (!chunk_[piece.chunk]) {
      IDML_CUDA_CHECK(cudaHostAlloc(&chunk_[piece.chunk], kChunk, cudaHostAllocPortable));
      cudaEvent_t event;
      IDML_CUDA_CHECK(cudaEventCreateWithFlags(&event, cudaEventDisableTiming));
      done_[piece.chunk] = event;
    } else {
      IDML_CUDA_CHECK(cudaEventSynchronize(static_cast<cudaEvent_t>(done_[piece.chunk])));
    }
    std::memcpy(chunk_[piece.chunk], static_cast<const char*>(src) + piece.offset, piece.length);
    IDML_CUDA_CHECK(cudaMemcpyAsync(static_cast<char*>(dst) + piece.offset, chunk_[piece.chunk], piece.length,
                                    cudaMemcpyHostToDevice, stream));
    IDML_CUDA_CHECK(cudaEventRecord(static_cast<cudaEvent_t>(done_[piece.chunk]), stream));
  }
}

void HostStaging::to_host(void* stream_ptr, void* dst, const void* src, size_t nbytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!download_) IDML_CUDA_CHECK(cudaHostAlloc(&download_, kChunk, cudaHostAllocPortable));
  auto stream = static_cast<cudaStream_t>(stream_ptr);
  for (size_t offset = 0; offset < nbytes; offset += kChunk) {
    const size_t len = std::min(kChunk, nbytes - offset);
    IDML_CUDA_CHECK(cudaMemcpyAsync(download_, static_cast<const char*>(src) + offset, len, cudaMemcpyDeviceToHost,
                                    stream));
    IDML_CUDA_CHECK(cudaStreamSynchronize(stream));
    std::memcpy(static_cast<char*>(dst) + offset, download_, len);
  }
}

}  // namespace idml::cuda
