// The engine's host GEMM or its device matmul; see the header.
#include "train/metrics/inner_products.h"

#include <cstring>

#include "engine/accelerator.h"
#include "engine/autograd.h"
#include "engine/backend.h"
#include "engine/error.h"
#include "engine/ops.h"
#include "train/metrics/skinny_products.h"

namespace idml::metrics {

InnerProducts::InnerProducts(Device device) : device_(device) {
  IDML_CHECK(device.is_cpu() || cuda_available(), "metrics on ", device.str(), ": no CUDA device is available");
}

InnerProducts::Matrix InnerProducts::matrix(const float* rows, int64_t count, int64_t d) const {
  IDML_CHECK(rows != nullptr && count >= 1 && d >= 1, "InnerProducts::matrix: empty matrix (", count, " x ", d, ")");
  Matrix m;
  m.host = rows;
  m.rows = count;
  m.d = d;
  if (on_gpu()) m.on_device = from_host(rows, {count, d}, DType::Float32, device_);
  return m;
}

void InnerProducts::multiply(const Matrix& left, int64_t start, int64_t m, const Matrix& right, float* out) const {
  IDML_CHECK(left.d == right.d, "InnerProducts::multiply: dimensions differ (", left.d, " vs ", right.d, ")");
  IDML_CHECK(start >= 0 && m >= 1 && start + m <= left.rows, "InnerProducts::multiply: rows [", start, ", ",
             start + m, ") outside the ", left.rows, " of the left matrix");
  const int64_t n = right.rows, d = left.d;
  if (!on_gpu() && n <= kMaxSkinnyColumns) {
    skinny_products(left.host + start * d, m, d, right.host, n, out);  // sgemm is slow on this shape
    return;
  }
  if (!on_gpu()) {
    // out (m, n) = left[start:start+m] (m, d) x right^T (d, n), the engine's host GEMM (BLAS sgemm)
    backend_for(device_).gemm(DType::Float32, Transpose::second, m, n, d, 1.0, left.host + start * d, d, right.host,
                              d, 0.0, out, n);
    return;
  }
  NoGradGuard no_grad;
  ExactFloat32Gemms exact_float32;
  const Tensor block = m == left.rows ? left.on_device : narrow(left.on_device, 0, start, m);
  const Tensor product = matmul(block, right.on_device, Transpose::second).to(Device::cpu());
  std::memcpy(out, product.data<float>(), static_cast<size_t>(m * n) * sizeof(float));
}

}  // namespace idml::metrics
