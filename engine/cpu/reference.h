// Naive reference implementations of the ops: direct loops with no
// blocking, no BLAS, no threads. Slow on purpose and easy to check by eye;
// the op table (tests/engine/op_table.cpp) compares every fast op against
// them. Raw kernels in reference.cpp, whole-tensor ops in reference_ops.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "engine/backend.h"
#include "engine/ops.h"
#include "engine/tensor.h"

namespace idml::cpu::reference {

// c (m, n) = op(a) (m, k) @ op(b) (k, n), row-major, accumulated in double.
void matmul(Transpose transpose, int64_t m, int64_t n, int64_t k, const double* a, const double* b, double* c);

// y (N, OC, OH, OW) = conv(x (N, C, H, W), w (OC, C, KH, KW)) + bias (OC, may be null).
void conv2d(const Conv2dGeometry& g, const double* x, const double* w, const double* bias, double* y);

// ---- whole tensors: any CPU tensors in, a float64 tensor out ----
// out[i] = f(x[i])
Tensor map(const Tensor& x, const std::function<double(double)>& f);
// out = f(a, b) with NumPy broadcasting
Tensor broadcast(const Tensor& a, const Tensor& b, const std::function<double(double, double)>& f);
// cond != 0 ? a : b, the three broadcast together
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor expand(const Tensor& x, const Shape& shape);
// dims empty: all of them
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, KeepDim keepdim);
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, KeepDim keepdim);
Tensor max(const Tensor& x, int64_t dim, KeepDim keepdim);  // values
Tensor matmul(const Tensor& a, const Tensor& b, Transpose transpose);
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias);  // bias may be undefined
Tensor transpose(const Tensor& x);
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride, int64_t padding,
              int64_t dilation);
// Batch statistics (biased variance) over every dim but 1.
Tensor batch_norm_training(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps);
Tensor max_pool2d(const Tensor& x, int64_t kernel, int64_t stride, int64_t padding);
Tensor concat(const std::vector<Tensor>& tensors, int64_t dim);
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
Tensor index_select(const Tensor& x, const Tensor& indices);  // rows along dim 0
Tensor gather(const Tensor& x, const Tensor& indices);        // out[r, j] = x[r, indices[r, j]]
Tensor one_hot(const Tensor& labels, int64_t num_classes);
Tensor l2_normalize(const Tensor& x, int64_t dim, double eps);

}  // namespace idml::cpu::reference
