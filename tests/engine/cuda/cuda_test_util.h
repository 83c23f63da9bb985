// Helpers of the CUDA tests: the fixture that skips without a GPU and
// selects full-FP32 math, CPU/GPU buffer pairs with equal contents, outputs
// poisoned before a kernel runs (an output the kernel forgets to write
// cannot pass), and NaN-aware comparisons.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "engine/backend.h"
#include "engine/cuda/cuda_backend.h"
#include "engine/generator.h"
#include "engine/ops.h"

namespace idml::cuda_testing {

// Skips without a GPU; runs each test with TF32 off (tests that want TF32 turn it on).
class CudaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (cuda::device_count() == 0) GTEST_SKIP() << "no CUDA device: " << cuda::unavailable_reason();
    saved_ = cuda::math_options();
    cuda::set_math_options({false, false});
  }
  void TearDown() override {
    if (cuda::device_count() > 0) cuda::set_math_options(saved_);
  }
  static Backend& cpu() { return backend_for(Device::cpu()); }
  static Backend& gpu() { return backend_for(Device::cuda()); }

 private:
  cuda::MathOptions saved_;
};

// The same values on the CPU and on the GPU.
struct Pair {
  Tensor cpu, gpu;
  void* c() const { return cpu.raw_data(); }
  void* g() const { return gpu.raw_data(); }
};

inline Pair on_both(const Tensor& host_tensor) {
  const Tensor h = host_tensor.detach();
  return {h, h.to(Device::cuda()).detach()};
}

inline Pair random_pair(const Shape& shape, Generator& gen, DType dtype, double scale = 1.0) {
  return on_both(randn(shape, gen, 0.0, scale, dtype));
}

// Filled with NaN (float) or a junk index (int64) on both devices.
inline Pair poisoned_pair(const Shape& shape, DType dtype) {
  const double junk = dtype == DType::Int64 ? -7.0 : std::numeric_limits<double>::quiet_NaN();
  return {full(shape, junk, dtype, Device::cpu()), full(shape, junk, dtype, Device::cuda())};
}

inline Pair index_pair(const std::vector<int64_t>& values) {
  return on_both(from_vector(values, {static_cast<int64_t>(values.size())}));
}

// The values in row-major order, whatever the device and the layout (a CPU convolution's output may be blocked).
inline std::vector<double> host_values(const Tensor& t) {
  return to_plain(t).to(Device::cpu()).to(DType::Float64).to_vector<double>();
}

// How the tolerance scales: per element, |gpu - cpu| <= tol (|cpu| + 1), or
// for long sums whose rounding error grows with the sum's typical size
// (GEMM, convolution, a whole network), tol (|cpu| + rms(cpu)).
enum class Scale { Element, Rms };

// NaN must meet NaN and inf the same inf.
inline void expect_close(const Tensor& gpu_tensor, const Tensor& cpu_tensor, double tol, const std::string& what,
                         Scale scale = Scale::Element) {
  ASSERT_EQ(gpu_tensor.shape(), cpu_tensor.shape()) << what;
  const std::vector<double> g = host_values(gpu_tensor), c = host_values(cpu_tensor);
  double floor = 1.0;
  if (scale == Scale::Rms) {
    double squares = 0;
    for (double v : c) squares += std::isfinite(v) ? v * v : 0.0;
    floor = c.empty() ? 0.0 : std::sqrt(squares / c.size());
  }
  for (size_t i = 0; i < c.size(); ++i) {
    if (std::isnan(c[i])) {
      ASSERT_TRUE(std::isnan(g[i])) << what << " element " << i << ": cpu NaN, gpu " << g[i];
      continue;
    }
    if (std::isinf(c[i])) {
      ASSERT_EQ(g[i], c[i]) << what << " element " << i;
      continue;
    }
    ASSERT_FALSE(std::isnan(g[i])) << what << " element " << i << ": gpu NaN (unwritten output?), cpu " << c[i];
    ASSERT_NEAR(g[i], c[i], tol * (std::abs(c[i]) + floor)) << what << " element " << i;
  }
}

inline void expect_close(const Pair& p, double tol, const std::string& what, Scale scale = Scale::Element) {
  expect_close(p.gpu, p.cpu, tol, what, scale);
}

inline void expect_equal_indices(const Pair& p, const std::string& what) {
  EXPECT_EQ(p.gpu.to(Device::cpu()).to_vector<int64_t>(), p.cpu.to_vector<int64_t>()) << what;
}

// Per-dtype tolerance: float32 as given, float64 near exact.
inline double tol_for(DType dtype, double float_tol) { return dtype == DType::Float32 ? float_tol : 1e-10; }

inline const char* name(DType dtype) { return dtype_name(dtype); }

}  // namespace idml::cuda_testing
