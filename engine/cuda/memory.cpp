// CudaBackend memory: allocation through the caching allocator, copies
// between host and device through pinned staging, device-to-device copies.
#include "engine/cuda/cuda_check.h"
#include "engine/cuda/cuda_device_backend.h"

namespace idml::cuda {

void* CudaBackend::allocate(size_t nbytes) { return allocator_.allocate(nbytes); }

void CudaBackend::deallocate(void* ptr, size_t nbytes) { allocator_.deallocate(ptr, nbytes); }

void CudaBackend::copy_from_host(void* dst, const void* host_src, size_t nbytes) {
  if (nbytes == 0) return;
  make_current_device(device_);
  staging_.to_device(stream_, dst, host_src, nbytes);
}

void CudaBackend::copy_to_host(void* host_dst, const void* src, size_t nbytes) {
  if (nbytes == 0) return;
  make_current_device(device_);
  staging_.to_host(stream_, host_dst, src, nbytes);
}

void CudaBackend::copy(void* dst, const void* src, size_t nbytes) {
  if (nbytes == 0) return;
  make_current_device(device_);
  IDML_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDeviceToDevice, stream_));
}

void CudaBackend::synchronize() {
  make_current_device(device_);
  IDML_CUDA_CHECK(cudaStreamSynchronize(stream_));
}

// A block of rows x cols elements between row strides: one strided 2-D copy.
void CudaBackend::copy_rows(DType dtype, const void* src, int64_t src_stride, void* dst, int64_t dst_stride,
                            int64_t rows, int64_t cols) {
  if (rows == 0 || cols == 0) return;
  const size_t elem = dtype_size(dtype);
  make_current_device(device_);
  if (rows == 1 || (src_stride == cols && dst_stride == cols)) {  // one contiguous run
    IDML_CUDA_CHECK(cudaMemcpyAsync(dst, src, rows * cols * elem, cudaMemcpyDeviceToDevice, stream_));
    return;
  }
  IDML_CUDA_CHECK(cudaMemcpy2DAsync(dst, dst_stride * elem, src, src_stride * elem, cols * elem, rows,
                                    cudaMemcpyDeviceToDevice, stream_));
}

}  // namespace idml::cuda
