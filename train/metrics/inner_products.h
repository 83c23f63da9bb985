// The one GEMM the metrics need, out (m, n) = left[start:start+m] (m, d) x right (n, d)^T,
// written to a host buffer: on the CPU by the engine's GEMM (Backend::gemm, BLAS
// sgemm), on a CUDA device by the engine's matmul (cuBLAS), with TF32 switched off so that the float32 error
// bound of exact_dot.h holds on both. The kNN, the k-means++ seeding and the
// Lloyd assignment shortlist with it and settle the shortlist on the host with
// exact_dot, so CPU and GPU give the same result.
// Not here: selection (top-k, argmin) on the device.
#pragma once

#include <cstdint>

#include "engine/device.h"
#include "engine/tensor.h"

namespace idml::metrics {

class InnerProducts {
 public:
  // A matrix the products read: the host rows (kept by pointer, they must
  // outlive it) and, on a GPU, its copy there.
  struct Matrix {
    const float* host = nullptr;
    int64_t rows = 0, d = 0;
    Tensor on_device;  // undefined on the CPU
  };

  explicit InnerProducts(Device device = Device::cpu());
  bool on_gpu() const { return !device_.is_cpu(); }
  Device device() const { return device_; }

  // rows (rows, d) row-major; uploads them when on a GPU.
  Matrix matrix(const float* rows, int64_t count, int64_t d) const;

  // out (m, right.rows), leading dimension right.rows.
  void multiply(const Matrix& left, int64_t start, int64_t m, const Matrix& right, float* out) const;

 private:
  Device device_;
};

}  // namespace idml::metrics
