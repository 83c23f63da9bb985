// Where each piece of a host-to-device upload goes in the pinned staging
// ring: chunks of a fixed size, taken in turn, the position kept from one
// upload to the next. A chunk is reused only after the copy out of it has
// finished (its event), and that copy was queued behind everything before it
// on the device's stream; a ring that restarted at chunk 0 on every upload
// thus made each upload wait for all the GPU work queued before the previous
// one. With the position kept, an upload waits only for copies a whole ring
// earlier (the ring holds a few steps' uploads: pinned_memory.h). No CUDA
// header: tests/engine/cuda/test_cuda_host_logic.cpp drives it on the CPU.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace idml::cuda {

class StagingRing {
 public:
  struct Piece {
    size_t chunk;   // which chunk of the ring
    size_t offset;  // into the upload
    size_t length;  // bytes, at most the chunk size
  };

  StagingRing(size_t chunks, size_t chunk_bytes) : chunks_(chunks), chunk_bytes_(chunk_bytes) {}

  // The pieces of an upload of `nbytes`, continuing from where the last upload stopped.
  std::vector<Piece> take(size_t nbytes) {
    std::vector<Piece> pieces;
    for (size_t offset = 0; offset < nbytes; offset += chunk_bytes_) {
      pieces.push_back({next_, offset, std::min(chunk_bytes_, nbytes - offset)});
      next_ = (next_ + 1) % chunks_;
    }
    return pieces;
  }

  size_t chunks() const { return chunks_; }
  size_t chunk_bytes() const { return chunk_bytes_; }

 private:
  size_t chunks_, chunk_bytes_;
  size_t next_ = 0;
};

}  // namespace idml::cuda
