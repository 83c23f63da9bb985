// The kernel list every backend implements (CPU in engine/cpu/, CUDA in
// engine/cuda/). Kernels work on raw pointers and sizes and know nothing of
// autograd; the op front-ends in engine/ops/ check arguments, allocate
// outputs and call these. `dtype` selects the element type of the float
// buffers; index buffers are always int64.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "engine/device.h"
#include "engine/dtype.h"
#include "engine/elementwise_math.h"
#include "engine/op_modes.h"

namespace idml {

// Up to three operands broadcast to one output shape; a stride of 0 repeats
// an operand along that dim. Dims are in row-major order.
struct BroadcastPlan {
  static constexpr int kMaxDims = 8;
  int ndim = 0;
  int64_t out_shape[kMaxDims] = {};
  int64_t strides[3][kMaxDims] = {};  // per operand, in elements
  int64_t numel = 0;
  bool contiguous[3] = {true, true, true};  // operand has the output's shape
};

struct Conv2dGeometry {
  int64_t batch, in_channels, in_height, in_width;
  int64_t out_channels, kernel_height, kernel_width;
  int64_t stride, padding, dilation;
  int64_t out_height, out_width;
};

// What conv2d_forward adds after conv + bias, fused where the backend can:
// y = relu?(conv(x, w) + bias + residual), residual (N, OC, OH, OW) or null.
struct ConvEpilogue {
  const void* residual = nullptr;
  bool relu = false;
};

class StoredLayout;  // engine/storage.h

// For a backend whose convolutions keep activations in their own layout
// (conv2d_keeps_own_layout): the layouts x, the residual and the weight are
// stored in (null: plain; a weight only after a conversion into
// conv2d_weight_layout), and
// whether y may be left in the backend's layout, in which case
// conv2d_forward returns it (null: y is plain).
struct ConvLayouts {
  const StoredLayout* x = nullptr;
  const StoredLayout* residual = nullptr;
  const StoredLayout* w = nullptr;
  bool y_may_be_stored = false;
};

// The same for the backward passes: x, dy and the weight as stored (null:
// plain), and whether dx and dw may be left in the backend's layout, in which
// case conv2d_backward_input and conv2d_backward_weight return it (null:
// plain).
struct ConvGradLayouts {
  const StoredLayout* x = nullptr;
  const StoredLayout* dy = nullptr;
  const StoredLayout* w = nullptr;
  bool dx_may_be_stored = false;
  bool dw_may_be_stored = false;
};

struct Pool2dGeometry {
  int64_t batch, channels, in_height, in_width;
  int64_t kernel, stride, padding;
  int64_t out_height, out_width;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // ---- memory ----
  virtual void* allocate(size_t nbytes) = 0;
  virtual void deallocate(void* ptr, size_t nbytes) = 0;
  virtual void copy_from_host(void* dst, const void* host_src, size_t nbytes) = 0;
  virtual void copy_to_host(void* host_dst, const void* src, size_t nbytes) = 0;
  virtual void copy(void* dst, const void* src, size_t nbytes) = 0;
  virtual void synchronize() = 0;

  // ---- elementwise ----
  virtual void fill(DType dtype, void* out, int64_t n, double value) = 0;
  virtual void cast(DType from, DType to, const void* x, void* out, int64_t n) = 0;
  virtual void unary(UnaryOp op, DType dtype, const void* x, void* out, int64_t n, double a, double b) = 0;
  virtual void binary(BinaryOp op, DType dtype, const BroadcastPlan& plan, const void* a, const void* b,
                      void* out) = 0;
  // out = cond != 0 ? a : b (operands 0, 1, 2 of the plan).
  virtual void where(DType dtype, const BroadcastPlan& plan, const void* cond, const void* a, const void* b,
                     void* out) = 0;
  // out = x broadcast (operand 0 of the plan).
  virtual void broadcast_copy(DType dtype, const BroadcastPlan& plan, const void* x, void* out) = 0;

  // ---- reductions over the middle axis of x viewed as (outer, reduce, inner) ----
  virtual void sum_axis(DType dtype, const void* x, void* out, int64_t outer, int64_t reduce, int64_t inner) = 0;
  // values and the index of the first maximum
  virtual void max_axis(DType dtype, const void* x, void* values, int64_t* indices, int64_t outer,
                        int64_t reduce, int64_t inner) = 0;
  // dx (outer, reduce, inner) = 0 except dx[o, indices[o, i], i] = dy[o, i]
  virtual void max_axis_backward(DType dtype, const void* dy, const int64_t* indices, void* dx, int64_t outer,
                                 int64_t reduce, int64_t inner) = 0;

  // ---- linear algebra, row-major ----
  // C (m, n) = alpha op(A) op(B) + beta C; op(A) (m, k), op(B) (k, n).
  virtual void gemm(DType dtype, Transpose transpose, int64_t m, int64_t n, int64_t k, double alpha, const void* a,
                    int64_t lda, const void* b, int64_t ldb, double beta, void* c, int64_t ldc) = 0;
  virtual void transpose2d(DType dtype, const void* x, void* out, int64_t rows, int64_t cols) = 0;

  // ---- convolution: x (N, C, H, W), w (OC, C, KH, KW), y (N, OC, OH, OW) ----
  // Whether this convolution reads and writes the backend's own activation
  // layout (ConvLayouts); if not, every operand must be plain.
  virtual bool conv2d_keeps_own_layout(DType dtype, const Conv2dGeometry& g) const { return false; }
  virtual std::shared_ptr<const StoredLayout> conv2d_forward(DType dtype, const Conv2dGeometry& g, const void* x,
                                                             const void* w, const void* bias_or_null,
                                                             const ConvEpilogue& epilogue, void* y,
                                                             const ConvLayouts& layouts) = 0;
  // The layout conv2d_forward reads a weight in for (g, bias, epilogue;
  // only whether bias and residual are null matters), for a weight that stays
  // constant over many forwards (engine/constant_parameters.h): converted into
  // it once (to_layout), no forward reorders it. Null: the plain one.
  virtual std::shared_ptr<const StoredLayout> conv2d_weight_layout(DType dtype, const Conv2dGeometry& g,
                                                                   const void* bias_or_null,
                                                                   const ConvEpilogue& epilogue) const {
    return nullptr;
  }
  virtual std::shared_ptr<const StoredLayout> conv2d_backward_input(DType dtype, const Conv2dGeometry& g,
                                                                    const void* dy, const void* w, void* dx,
                                                                    const ConvGradLayouts& layouts) = 0;
  // dw, and with db_or_null also the bias gradient db = sum of dy over (N, OH, OW).
  virtual std::shared_ptr<const StoredLayout> conv2d_backward_weight(DType dtype, const Conv2dGeometry& g,
                                                                     const void* x, const void* dy, void* dw,
                                                                     void* db_or_null,
                                                                     const ConvGradLayouts& layouts) = 0;

  // ---- batch norm over x (N, C, HW) per channel ----
  // Batch statistics: y, save_mean, save_invstd (C); running stats updated in
  // place: r = (1 - momentum) r + momentum stat, with the unbiased variance.
  virtual void batch_norm_forward_training(DType dtype, int64_t n, int64_t c, int64_t hw, const void* x,
                                           const void* gamma, const void* beta, void* y, void* save_mean,
                                           void* save_invstd, void* running_mean, void* running_var,
                                           double momentum, double eps) = 0;
  // y = (x - mean) * invstd * gamma + beta with given per-channel mean/invstd.
  virtual void batch_norm_forward_inference(DType dtype, int64_t n, int64_t c, int64_t hw, const void* x,
                                            const void* gamma, const void* beta, const void* mean,
                                            const void* invstd, void* y) = 0;
  // training: mean/invstd are the batch's (the full formula); inference: they
  // are constants and dx = dy * gamma * invstd. Any of dx, dgamma, dbeta may be null.
  virtual void batch_norm_backward(DType dtype, BatchNormMode mode, int64_t n, int64_t c, int64_t hw,
                                   const void* x, const void* dy, const void* gamma, const void* mean,
                                   const void* invstd, void* dx, void* dgamma, void* dbeta) = 0;

  // ---- pooling ----
  // indices_or_null (N, C, OH, OW): flat h * W + w of the window's maximum
  // (PyTorch's rule); null where no backward follows. channel_block: x and y
  // are held as (N, C/b, H, W, b) (StoredLayout::channel_block), 0: plain; a
  // backend that keeps no layout of its own is given 0 only.
  virtual void max_pool2d_forward(DType dtype, const Pool2dGeometry& g, const void* x, void* y,
                                  int64_t* indices_or_null, int64_t channel_block) = 0;
  virtual void max_pool2d_backward(DType dtype, const Pool2dGeometry& g, const void* dy, const int64_t* indices,
                                   void* dx) = 0;

  // ---- indexing ----
  // out[i, :] = x[indices[i], :] with rows of row_size elements.
  virtual void index_select_rows(DType dtype, const void* x, int64_t num_rows, const int64_t* indices,
                                 int64_t count, int64_t row_size, void* out) = 0;
  // out[indices[i], :] += src[i, :]
  virtual void index_add_rows(DType dtype, const void* src, const int64_t* indices, int64_t count,
                              int64_t row_size, void* out, int64_t num_rows) = 0;
  // out[r, j] = x[r, indices[r, j]], x (rows, cols), indices (rows, k).
  virtual void gather_cols(DType dtype, const void* x, int64_t rows, int64_t cols, const int64_t* indices,
                           int64_t k, void* out) = 0;
  // dx[r, indices[r, j]] += dy[r, j]
  virtual void scatter_add_cols(DType dtype, const void* dy, int64_t rows, int64_t cols, const int64_t* indices,
                                int64_t k, void* dx) = 0;
  virtual void one_hot(const int64_t* labels, int64_t n, int64_t num_classes, DType dtype, void* out) = 0;
  // Copies a block of `rows` x `cols` elements between row strides (concat, narrow).
  virtual void copy_rows(DType dtype, const void* src, int64_t src_stride, void* dst, int64_t dst_stride,
                         int64_t rows, int64_t cols) = 0;

  // ---- optimizer updates, in place, n elements each ----
  virtual void adam_step(DType dtype, const AdamStep& step, int64_t n, void* param, const void* grad,
                         void* exp_avg, void* exp_avg_sq) = 0;
};

// The backend of a device; throws when that device's backend is not built or
// the device does not exist.
Backend& backend_for(Device device);

}  // namespace idml
