// The CUDA caching allocator (caching_allocator.h): size classes over the
// shared free list, cudaMalloc on a miss, the cache released on failure.
#include "engine/cuda/caching_allocator.h"

#include <algorithm>
#include <string>

#include "engine/cuda/cuda_check.h"
#include "engine/cuda/cuda_device_backend.h"

namespace idml::cuda {

void* CachingAllocator::allocate(size_t nbytes) {
  if (nbytes == 0) return nullptr;
  const size_t size = size_class(nbytes);
  std::lock_guard<std::mutex> lock(mutex_);
  if (void* p = free_blocks_.take(size)) {
    allocated_bytes_ += size;
    peak_allocated_bytes_ = std::max(peak_allocated_bytes_, allocated_bytes_);
    return p;
  }
  make_current_device(device_);
  void* p = nullptr;
  cudaError_t status = cudaMalloc(&p, size);
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();  // clear the sticky-free error before retrying
    release_cached_locked();
    status = cudaMalloc(&p, size);
  }
  if (status != cudaSuccess) {
    cudaGetLastError();
    const std::string message = detail::concat("CUDA backend: cudaMalloc of ", size, " bytes on cuda:", device_,
                                               " failed: ", cudaGetErrorString(status), " (", allocated_bytes_,
                                               " bytes held by tensors, cache released)");
    if (status == cudaErrorMemoryAllocation) throw DeviceOutOfMemory(message);
    throw Error(message);
  }
  ++device_mallocs_;
  allocated_bytes_ += size;
  peak_allocated_bytes_ = std::max(peak_allocated_bytes_, allocated_bytes_);
  return p;
}

void CachingAllocator::deallocate(void* ptr, size_t nbytes) {
  if (!ptr) return;
  const size_t size = size_class(nbytes);
  std::lock_guard<std::mutex> lock(mutex_);
  free_blocks_.put(ptr, size);
  allocated_bytes_ -= size;
}

void CachingAllocator::free_now(void* ptr, size_t nbytes) {
  if (!ptr) return;
  const size_t size = size_class(nbytes);
  std::lock_guard<std::mutex> lock(mutex_);
  allocated_bytes_ -= size;
  make_current_device(device_);
  // cudaFree waits for the device, so no queued kernel still uses the block.
  if (cudaFree(ptr) != cudaSuccess) cudaGetLastError();
}

void CachingAllocator::release_cached() {
  std::lock_guard<std::mutex> lock(mutex_);
  release_cached_locked();
}

void CachingAllocator::release_cached_locked() {
  make_current_device(device_);
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

size_t CachingAllocator::peak_allocated_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return peak_allocated_bytes_;
}

size_t CachingAllocator::device_mallocs() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return device_mallocs_;
}

}  // namespace idml::cuda
