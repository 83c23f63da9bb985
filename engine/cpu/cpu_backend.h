// The CPU backend: OpenMP loops, GEMM (oneDNN's sgemm; a plain float64 loop),
// convolution through oneDNN or as im2col + GEMM. Kernels are templates over float and double
// (double exists for finite-difference gradient checks); each group of
// kernels lives in its own file of this folder.
#pragma once

#include <atomic>
#include <cstdint>
#include "engine/backend.h"
#include "engine/dispatch.h"
#include "engine/cpu/host_allocator.h"
#include "engine/error.h"

namespace idml::cpu {

class CpuBackend final : public Backend {
 public:
  void* allocate(size_t nbytes) override;
  void deallocate(void* ptr, size_t nbytes) override;
  void copy_from_host(void* dst, const void* host_src, size_t nbytes) override;
  void copy_to_host(void* host_dst, const void* src, size_t nbytes) override;
  void copy(void* dst, const void* src, size_t nbytes) override;
  void synchronize() override {}

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

  bool conv2d_keeps_own_layout(DType dtype, const Conv2dGeometry& g) const override;
  std::shared_ptr<const StoredLayout> conv2d_forward(DType dtype, const Conv2dGeometry& g, const void* x,
                                                     const void* w, const void* bias_or_null,
                                                     const ConvEpilogue& epilogue, void* y,
                                                     const ConvLayouts& layouts) override;
  std::shared_ptr<const StoredLayout> conv2d_weight_layout(DType dtype, const Conv2dGeometry& g,
                                                           const void* bias_or_null,
                                                           const ConvEpilogue& epilogue) const override;
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
  void copy_rows(DType dtype, const void* src, int64_t src_stride, void* dst, int64_t dst_stride, int64_t rows,
                 int64_t cols) override;
  void adam_step(DType dtype, const AdamStep& step, int64_t n, void* param, const void* grad, void* exp_avg,
                 void* exp_avg_sq) override;

 private:
  HostAllocator allocator_;
};

// Elementwise loops below this size run on one thread (OpenMP start-up costs more).
constexpr int64_t kParallelGrain = 1 << 15;

// Loops of the elementwise and optimizer kernels that took the OpenMP path
// since start-up: a test hook that shows which path ran.
inline std::atomic<int64_t> parallel_loops{0};

// `#pragma omp parallel for if (parallel_path(n))`: true above the grain, and counted.
inline bool parallel_path(int64_t n) {
  if (n <= kParallelGrain) return false;
  parallel_loops.fetch_add(1, std::memory_order_relaxed);
  return true;
}

}  // namespace idml::cpu
