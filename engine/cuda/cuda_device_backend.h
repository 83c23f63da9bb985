// CudaBackend: the Backend of one GPU (internal to engine/cuda/). It owns
// the device's stream, its cuBLAS and cuDNN handles (bound to that stream;
// cuDNN's made on the first convolution),
// the caching allocator, the pinned staging buffers and the cache of cuDNN
// convolution algorithms. Every kernel of a device is queued on its one
// stream, so kernels need no further synchronisation between each other;
// copy_to_host and synchronize() wait for the stream.
//
// Method bodies are spread by kernel group: cuda_backend.cpp (set-up),
// memory.cpp, gemm.cpp, conv.cpp, and the .cu files.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <map>
#include <mutex>

#include "engine/backend.h"
#include "engine/cuda/cuda_backend.h"
#include "engine/cuda/caching_allocator.h"
#include "engine/cuda/conv_algorithms.h"
#include "engine/cuda/pinned_memory.h"

namespace idml::cuda {

// Makes `device` current on the calling thread when it is not (no restore:
// see cuda_backend.cpp). Every entry point of the backend calls it first.
void make_current_device(int device);
// The TF32 switches as set now (cuda_backend.h's math_options(), on this side of the plug-in).
MathOptions current_math_options();

// A temporary device buffer from the caching allocator, given back at scope
// exit (safe while kernels queued on the stream still use it: see
// caching_allocator.h).
class ScratchBuffer {
 public:
  ScratchBuffer(CachingAllocator& allocator, size_t nbytes)
      : allocator_(allocator), nbytes_(nbytes), data_(allocator.allocate(nbytes)) {}
  ~ScratchBuffer() { allocator_.deallocate(data_, nbytes_); }
  ScratchBuffer(const ScratchBuffer&) = delete;
  ScratchBuffer& operator=(const ScratchBuffer&) = delete;
  template <typename T = void> T* get() const { return static_cast<T*>(data_); }

 private:
  CachingAllocator& allocator_;
  size_t nbytes_;
  void* data_;
};

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(int device);
  ~CudaBackend() override = default;  // never destroyed (see cuda_backend.cpp)

  int device() const { return device_; }
  cudaStream_t stream() const { return stream_; }
  CachingAllocator& allocator() { return allocator_; }

  void* allocate(size_t nbytes) override;
  void deallocate(void* ptr, size_t nbytes) override;
  void copy_from_host(void* dst, const void* host_src, size_t nbytes) override;
  void copy_to_host(void* host_dst, const void* src, size_t nbytes) override;
  void copy(void* dst, const void* src, size_t nbytes) override;
  void synchronize() override;

  void fill(DType dtype, void* out, int64_t n, double value) override;
  void cast(DType from, DType to, const void* x, void* out, int64_t n) override;
  void unary(UnaryOp op, DType dtype, const void* x, void* out, int64_t n, double a, double b) override;
  void binary(BinaryOp op, DType dtype, const BroadcastPlan& plan, const void* a, const void* b,
              void* out) override;
  void where(DType dtype, const BroadcastPlan& plan, const void* cond, const void* a, const void* b,
             void* out) override;
  void broadcast_copy(DType dtype, const BroadcastPlan& plan, const void* x, void* out) override;

  void sum_axis(DType dtype, const void* x, void* out, int64_t outer, int64_t reduce, int64_t inner) override;
  void max_axis(DType dtype, const void* x, void* values, int64_t* indices, int64_t outer, int64_t reduce,
                int64_t inner) override;
  void max_axis_backward(DType dtype, const void* dy, const int64_t* indices, void* dx, int64_t outer,
                         int64_t reduce, int64_t inner) override;

  void gemm(DType dtype, Transpose transpose, int64_t m, int64_t n, int64_t k, double alpha, const void* a,
            int64_t lda, const void* b, int64_t ldb, double beta, void* c, int64_t ldc) override;
  void transpose2d(DType dtype, const void* x, void* out, int64_t rows, int64_t cols) override;

  std::shared_ptr<const StoredLayout> conv2d_forward(DType dtype, const Conv2dGeometry& g, const void* x,
                                                     const void* w, const void* bias_or_null,
                                                     const ConvEpilogue& epilogue, void* y,
                                                     const ConvLayouts& layouts) override;
  std::shared_ptr<const StoredLayout> conv2d_backward_input(DType dtype, const Conv2dGeometry& g, const void* dy,
                                                            const void* w, void* dx,
                                                            const ConvGradLayouts& layouts) override;
  std::shared_ptr<const StoredLayout> conv2d_backward_weight(DType dtype, const Conv2dGeometry& g, const void* x,
                                                             const void* dy, void* dw, void* db_or_null,
                                                             const ConvGradLayouts& layouts) override;

  void batch_norm_forward_training(DType dtype, int64_t n, int64_t c, int64_t hw, const void* x, const void* gamma,
                                   const void* beta, void* y, void* save_mean, void* save_invstd,
                                   void* running_mean, void* running_var, double momentum, double eps) override;
  void batch_norm_forward_inference(DType dtype, int64_t n, int64_t c, int64_t hw, const void* x,
                                    const void* gamma, const void* beta, const void* mean, const void* invstd,
                                    void* y) override;
  void batch_norm_backward(DType dtype, BatchNormMode mode, int64_t n, int64_t c, int64_t hw, const void* x,
                           const void* dy, const void* gamma, const void* mean, const void* invstd, void* dx,
                           void* dgamma, void* dbeta) override;

  void max_pool2d_forward(DType dtype, const Pool2dGeometry& g, const void* x, void* y, int64_t* indices_or_null,
                          int64_t channel_block) override;
  void max_pool2d_backward(DType dtype, const Pool2dGeometry& g, const void* dy, const int64_t* indices,
                           void* dx) override;

  void index_select_rows(DType dtype, const void* x, int64_t num_rows, const int64_t* indices, int64_t count,
                         int64_t row_size, void* out) override;
  void index_add_rows(DType dtype, const void* src, const int64_t* indices, int64_t count, int64_t row_size,
                      void* out, int64_t num_rows) override;
  void gather_cols(DType dtype, const void* x, int64_t rows, int64_t cols, const int64_t* indices, int64_t k,
                   void* out) override;
  void scatter_add_cols(DType dtype, const void* dy, int64_t rows, int64_t cols, const int64_t* indices, int64_t k,
                        void* dx) override;
  void one_hot(const int64_t* labels, int64_t n, int64_t num_classes, DType dtype, void* out) override;
  void adam_step(DType dtype, const AdamStep& step, int64_t n, void* param, const void* grad, void* exp_avg,
                 void* exp_avg_sq) override;
  void copy_rows(DType dtype, const void* src, int64_t src_stride, void* dst, int64_t dst_stride, int64_t rows,
                 int64_t cols) override;

 private:
  // cuDNN's handle on this stream, created on first use.
  cudnnHandle_t cudnn();
  // The ranked algorithms for a convolution pass, chosen on first use (conv_algorithms.cpp).
  const ConvCandidates& conv_algorithms(ConvPass pass, DType dtype, const Conv2dGeometry& g,
                                        const ConvDescriptors& d, const void* x, const void* w, const void* y);
  // Runs `pass` with the first candidate whose workspace can be allocated (conv.cpp).
  template <typename Run>
  void run_conv(const ConvCandidates& candidates, ConvDescriptors& d, Run run);

  int device_;
  cudaStream_t stream_ = nullptr;
  cublasHandle_t cublas_ = nullptr;
  std::mutex cudnn_mutex_;
  cudnnHandle_t cudnn_ = nullptr;
  CachingAllocator allocator_;
  HostStaging staging_;
  std::mutex conv_mutex_;
  std::map<ConvKey, ConvCandidates> conv_algorithms_;
};

}  // namespace idml::cuda
