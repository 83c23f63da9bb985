// The op set. Every function checks its arguments (throwing idml::Error that
// names the op and the shapes), runs the kernel of the tensors' backend and,
// when grad mode is on and an input requires grad, records its backward.
// Semantics follow PyTorch's functions of the same name.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/adam_step.h"
#include "engine/tensor.h"
#include "engine/op_modes.h"

namespace idml {

// ---- physical layout (engine/ops/layout.cpp) ----
// The named conversions between a tensor's layouts (Tensor::layout(),
// engine/storage.h): each makes a new tensor, x keeps its layout, and the
// gradient passes through unchanged. Every op that reads its operands as
// plain row-major bytes calls to_plain on them first; a reader of raw_data()
// that does not is an error naming the tensor's layout.
// x in the plain row-major layout: x itself when it is, else a converted copy.
Tensor to_plain(const Tensor& x);
// x in `layout` (null: plain): x itself when it is held so, else a converted copy.
Tensor to_layout(const Tensor& x, std::shared_ptr<const StoredLayout> layout);

// ---- elementwise, with NumPy broadcasting (engine/ops/elementwise.cpp) ----
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor add_scalar(const Tensor& x, double s);
Tensor mul_scalar(const Tensor& x, double s);
Tensor div_scalar(const Tensor& x, double s);       // x / s, true division
Tensor rsub_scalar(const Tensor& x, double s);      // s - x
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor log1p(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor sigmoid(const Tensor& x);  // 1 / (1 + exp(-x)); d/dx = y (1 - y)
Tensor clamp(const Tensor& x, double low, double high);  // gradient where low <= x <= high
Tensor clamp_min(const Tensor& x, double low);
Tensor relu(const Tensor& x);
// cond != 0 ? a : b, all three broadcast together; no gradient to cond.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
// 0/1 masks in a's dtype (no gradient).
Tensor eq(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
// ReLU's backward from its output y: grad where y > 0, else 0 (one pass; not differentiable).
Tensor relu_backward(const Tensor& grad, const Tensor& y);
Tensor lt(const Tensor& a, const Tensor& b);
// Broadcast to a larger shape (copy); backward sums over the broadcast dims.
Tensor expand(const Tensor& x, const Shape& shape);
// Sum of a gradient over the dims that broadcasting added: the inverse of expand.
Tensor sum_to_shape(const Tensor& x, const Shape& shape);

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& x) { return neg(x); }
inline Tensor operator+(const Tensor& a, double s) { return add_scalar(a, s); }
inline Tensor operator-(const Tensor& a, double s) { return add_scalar(a, -s); }
inline Tensor operator*(const Tensor& a, double s) { return mul_scalar(a, s); }
inline Tensor operator*(double s, const Tensor& a) { return mul_scalar(a, s); }
inline Tensor operator/(const Tensor& a, double s) { return div_scalar(a, s); }

// ---- reductions (engine/ops/reduction.cpp) ----
// Whether a reduction keeps the reduced dims with size 1 (PyTorch's keepdim).
enum class KeepDim : bool { no = false, yes = true };
Tensor sum(const Tensor& x);  // all elements -> shape []
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, KeepDim keepdim = KeepDim::no);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, KeepDim keepdim = KeepDim::no);
Tensor max(const Tensor& x);  // all elements -> shape []
struct MaxResult {
  Tensor values;
  Tensor indices;  // int64, first maximum along the dim
};
MaxResult max(const Tensor& x, int64_t dim, KeepDim keepdim = KeepDim::no);

// ---- linear algebra (engine/ops/linear_algebra.cpp) ----
// op(a) @ op(b) for 2-D tensors: matmul(x, w, Transpose::second) = x w^T.
Tensor matmul(const Tensor& a, const Tensor& b, Transpose transpose = Transpose::none);
// x (N, in) @ weight (out, in)^T + bias (out); bias may be undefined.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias);
Tensor transpose(const Tensor& x);  // 2-D

// ---- convolution, normalisation, pooling (engine/ops/conv.cpp, batch_norm.cpp, pooling.cpp) ----
struct Conv2dOptions {
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t dilation = 1;
};
// x (N, C, H, W), weight (OC, C, KH, KW), bias (OC) or undefined.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, Conv2dOptions options = {});
// What conv2d adds after conv + bias, fused into the kernel (oneDNN post-ops
// on the CPU): y = relu?(conv + bias + residual); residual (N, OC, OH, OW) or
// undefined. The backward needs only y (relu's mask), so it fuses in training too.
struct Conv2dEpilogue {
  Tensor residual;
  bool relu = false;
};
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, Conv2dOptions options,
              const Conv2dEpilogue& epilogue);
// W' (OC, ...) = scale[o] W[o, ...]: each output channel's filter scaled, the
// weight side of folding a batch norm into its convolution. Its own backward:
// dW = scale dW', dscale[o] = sum over the filter of dW'[o] W[o] (one sum per
// channel, in double).
Tensor scale_output_channels(const Tensor& weight, const Tensor& scale);
// The batch norm's side of that fold, in inference mode: the per-channel
// scale a = gamma / sqrt(running_var + eps) and shift c = beta - a running_mean,
// all (OC), so that bn(conv(x, W)) = conv(x, scale_output_channels(W, a)) + c.
// The running statistics are constants; gamma and beta keep their gradients.
struct BatchNormFold {
  Tensor scale, shift;
};
BatchNormFold batch_norm_fold(const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                              const Tensor& running_var, double eps);
// A convolution followed by batch norm in inference mode (running statistics
// mean, var), folded: with a and c of batch_norm_fold,
// bn(conv(x, W)) = conv(x, a W) + c, a W by scale_output_channels. The fold is
// per-channel ops on the weights inside the autograd graph, so the gradients
// of W, gamma and beta stay exact; the batch-norm pass disappears forward and
// backward. Where the two convolution routes of a ResNet layer fork (this, or
// conv2d then batch_norm) is nn::conv_batch_norm.
Tensor conv2d_frozen_batch_norm(const Tensor& x, const Tensor& weight, const Tensor& gamma, const Tensor& beta,
                                const Tensor& running_mean, const Tensor& running_var, double eps,
                                Conv2dOptions options = {}, const Conv2dEpilogue& epilogue = {});

// x (N, C, H, W) or (N, C); weight, bias, running_mean, running_var (C).
// BatchNormMode::training: normalise by batch statistics (biased variance)
// and update the running statistics in place with `momentum` (unbiased
// variance), as PyTorch. inference: normalise by the running statistics.
Tensor batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                  const Tensor& running_var, BatchNormMode mode, double momentum = 0.1, double eps = 1e-5);

struct Pool2dOptions {
  int64_t kernel = 2;
  int64_t stride = 2;
  int64_t padding = 0;
};
Tensor max_pool2d(const Tensor& x, Pool2dOptions options);
Tensor adaptive_avg_pool2d_1x1(const Tensor& x);  // (N, C, H, W) -> (N, C, 1, 1)
Tensor adaptive_max_pool2d_1x1(const Tensor& x);  // (N, C, H, W) -> (N, C, 1, 1)

// ---- indexing and joining (engine/ops/indexing.cpp) ----
Tensor concat(const std::vector<Tensor>& tensors, int64_t dim);
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
// Rows x[indices[i]] along dim 0; indices int64 (K).
Tensor index_select(const Tensor& x, const Tensor& indices);
// out[r, j] = x[r, indices[r, j]] for 2-D x (R, C) and int64 indices (R, K).
Tensor gather(const Tensor& x, const Tensor& indices);
// labels int64 (N) -> (N, num_classes) of 0/1 in dtype.
Tensor one_hot(const Tensor& labels, int64_t num_classes, DType dtype = DType::Float32);

// ---- fused optimizer updates, in place, no autograd (engine/ops/optimizer_steps.cpp) ----
// One Adam/AdamW step on `param` and its moments (formula in engine/adam_step.h).
void adam_step_(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                const AdamStep& step);

// ---- composites (engine/ops/composite.cpp) ----
// x / sqrt(sum(x^2, dim) + 1e-12), the reference's l2_norm (docs/METHOD.md#2-model).
Tensor l2_normalize(const Tensor& x, int64_t dim = 1, double eps = 1e-12);

}  // namespace idml
