// The CUDA caching allocator (caching_allocator.h): size classes over the
// shared free list, cudaMalloc on a miss, the cache released on failure.
#include "engine/cuda/caching_allocator.h"

#include <string>

#include "engine/cuda/cuda_check.h"
#include "engine/cuda/cuda_device_backend.h"

namespace idml::cuda {

size_t CachingAllocator::size_class(size_t nbytes) {
  constexpr size_t kSmall = size_t(1) << 20;
  if (nbytes <= kSmall) return (nbytes + 511) / 512 * 512;
  size_t power = kSmall;
  while (power * 2 < nbytes) power *= 2;  // power < nbytes <= 2 power
  const size_t step = power / 8;
  return (nbytes + step - 1) / step * step;
}

void* CachingAllocator::allocate(size_t nbytes) {
  if (nbytes == 0) return nullptr;
  const size_t size = size_class(nbytes);
  std::lock_guard<std::mutex> lock(mutex_);
  if (void* p = free_blocks_.take(size)) {
    allocated_bytes_ += size;
    return p;
  }
  DeviceGuard guard(device_);
  void* p = nullptr;
  cudaError_t status = cudaMalloc(&p, size);
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();  // clear the sticky-free error before retrying
    release_cached_locked();
    status = cudaMalloc(&p, size);
  }
  if (status != cudaSuccess) {
    cudaGetLastError();
    throw Error(detail::concat("CUDA backend: cudaMalloc of ", size, " bytes on cuda:", device_,
                               " failed: ", cudaGetErrorString(status), " (", allocated_bytes_,
                               " bytes held by tensors, cache released)"));
  }
  ++device_mallocs_;
  allocated_bytes_ += size;
  return p;
}

void CachingAllocator::deallocate(void* ptr, size_t nbytes) {
  if (!ptr) return;
  const size_t size = size_class(nbytes);
  std::lock_guard<std::mutex> lock(mutex_);
  free_blocks_.put(ptr, size);
  allocated_bytes_ -= size;
}

void CachingAllocator::release_cached() {
  std::lock_guard<std::mutex> lock(mutex_);
  release_cached_locked();
}

void CachingAllocator::release_cached_locked() {
  DeviceGuard guard(device_);
  // cudaFree waits for the device, so no queued kernel still uses a freed block.
  free_blocks_.release_all([](void* p) { IDML_CUDA_CHECK(cudaFree(p)); });
}

size_t CachingAllocator::allocated_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return allocated_bytes_;
}

size_t CachingAllocator::cached_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return free_blocks_.cached_bytes();
}

size_t CachingAllocator::device_mallocs() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return device_mallocs_;
}

}  // namespace idml::cuda
