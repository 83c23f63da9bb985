// Convolution (cuDNN), batch norm and max-pool kernels of the CUDA backend
// against the CPU backend, float32 and float64, outputs poisoned first.
// Tolerances: conv in full FP32 1e-4 and with TF32 1e-2, on |cpu value| +
// rms of the output (long sums whose rounding grows with their size; cuDNN
// may use FFT or Winograd); batch norm 1e-4 float32 on 1 + |cpu value|
// (statistics in double on both); float64 1e-10; max-pool
// values, indices and gradients exact (same scan and addition order).
#include <array>

#include "tests/engine/cuda/cuda_test_util.h"

namespace idml {
namespace {

using namespace cuda_testing;

class CudaNnKernels : public CudaTest {};

Conv2dGeometry geometry(int64_t n, int64_t c, int64_t h, int64_t w, int64_t oc, int64_t kh, int64_t kw,
                        int64_t stride, int64_t padding, int64_t dilation) {
  Conv2dGeometry g{n, c, h, w, oc, kh, kw, stride, padding, dilation, 0, 0};
  g.out_height = (h + 2 * padding - dilation * (kh - 1) - 1) / stride + 1;
  g.out_width = (w + 2 * padding - dilation * (kw - 1) - 1) / stride + 1;
  return g;
}

const std::vector<Conv2dGeometry>& conv_cases() {
  static const std::vector<Conv2dGeometry> cases = {
      geometry(2, 3, 17, 19, 8, 3, 3, 1, 1, 1),   // stem-like 3x3
      geometry(3, 8, 14, 14, 16, 1, 1, 1, 0, 1),  // pointwise
      geometry(2, 8, 15, 15, 4, 3, 3, 2, 1, 1),   // strided 3x3
      geometry(1, 4, 13, 11, 6, 5, 3, 2, 2, 2),   // non-square kernel, dilation 2
      geometry(2, 16, 7, 7, 32, 1, 1, 2, 0, 1),   // strided 1x1 (downsample)
  };
  return cases;
}

std::string conv_name(const Conv2dGeometry& g, DType dtype) {
  return "conv x " + shape_str({g.batch, g.in_channels, g.in_height, g.in_width}) + " w " +
         shape_str({g.out_channels, g.in_channels, g.kernel_height, g.kernel_width}) + " s" +
         std::to_string(g.stride) + " p" + std::to_string(g.padding) + " d" + std::to_string(g.dilation) + " " +
         name(dtype);
}

void check_conv(Backend& cpu, Backend& gpu, const Conv2dGeometry& g, DType dtype, double tol, Generator& gen) {
  const std::string what = conv_name(g, dtype);
  const Shape x_shape{g.batch, g.in_channels, g.in_height, g.in_width};
  const Shape w_shape{g.out_channels, g.in_channels, g.kernel_height, g.kernel_width};
  const Shape y_shape{g.batch, g.out_channels, g.out_height, g.out_width};
  const Pair x = random_pair(x_shape, gen, dtype);
  const Pair w = random_pair(w_shape, gen, dtype, 0.2);
  const Pair bias = random_pair({g.out_channels}, gen, dtype);
  for (bool with_bias : {false, true}) {
    const Pair y = poisoned_pair(y_shape, dtype);
    cpu.conv2d_forward(dtype, g, x.c(), w.c(), with_bias ? bias.c() : nullptr, {}, y.c(), {});
    gpu.conv2d_forward(dtype, g, x.g(), w.g(), with_bias ? bias.g() : nullptr, {}, y.g(), {});
    expect_close(y, tol, what + (with_bias ? " forward with bias" : " forward"), Scale::Rms);
  }
  {  // the fused epilogue: relu(conv + bias + residual)
    const Pair residual = random_pair(y_shape, gen, dtype);
    const Pair y = poisoned_pair(y_shape, dtype);
    cpu.conv2d_forward(dtype, g, x.c(), w.c(), bias.c(), {residual.c(), true}, y.c(), {});
    gpu.conv2d_forward(dtype, g, x.g(), w.g(), bias.g(), {residual.g(), true}, y.g(), {});
    expect_close(y, tol, what + " forward + residual + relu", Scale::Rms);
  }
  const Pair dy = random_pair(y_shape, gen, dtype);
  const Pair dx = poisoned_pair(x_shape, dtype);
  cpu.conv2d_backward_input(dtype, g, dy.c(), w.c(), dx.c(), {});
  gpu.conv2d_backward_input(dtype, g, dy.g(), w.g(), dx.g(), {});
  expect_close(dx, tol, what + " backward input", Scale::Rms);
  for (bool with_bias : {false, true}) {
    const Pair dw = poisoned_pair(w_shape, dtype), db = poisoned_pair({g.out_channels}, dtype);
    cpu.conv2d_backward_weight(dtype, g, x.c(), dy.c(), dw.c(), with_bias ? db.c() : nullptr, {});
    gpu.conv2d_backward_weight(dtype, g, x.g(), dy.g(), dw.g(), with_bias ? db.g() : nullptr, {});
    expect_close(dw, tol, what + " backward weight", Scale::Rms);
    if (with_bias) expect_close(db, tol, what + " backward bias", Scale::Rms);
  }
}

TEST_F(CudaNnKernels, ConvForwardAndBackwardMatchCpuInFullPrecision) {
  Generator gen(20);
  for (DType dtype : {DType::Float32, DType::Float64})
    for (const Conv2dGeometry& g : conv_cases()) check_conv(cpu(), gpu(), g, dtype, tol_for(dtype, 1e-4), gen);
}

TEST_F(CudaNnKernels, ConvWithTf32StaysWithinTf32Tolerance) {
  cuda::set_math_options({true, false});
  Generator gen(21);
  for (const Conv2dGeometry& g : conv_cases()) check_conv(cpu(), gpu(), g, DType::Float32, 1e-2, gen);
}

TEST_F(CudaNnKernels, BatchNormTrainingForwardMatchesCpuIncludingRunningStatistics) {
  Generator gen(22);
  // (N, C, HW): small; one value per sample and channel; long channels split over many blocks.
  const std::vector<std::array<int64_t, 3>> sizes = {{4, 3, 50}, {7, 5, 1}, {8, 16, 20000}};
  for (DType dtype : {DType::Float32, DType::Float64}) {
    for (const auto& [n, c, hw] : sizes) {
      for (bool affine : {false, true}) {
        const std::string what = "batch_norm training " + shape_str({n, c, hw}) + " " + name(dtype) +
                                 (affine ? " affine" : "");
        const Pair x = on_both(add_scalar(randn({n, c, hw}, gen, 0.0, 2.0, dtype), 0.7));
        const Pair gamma = random_pair({c}, gen, dtype), beta = random_pair({c}, gen, dtype);
        const Pair running_mean = random_pair({c}, gen, dtype);
        const Pair running_var = on_both(rand({c}, gen, 0.5, 2.0, dtype));
        const Pair y = poisoned_pair({n, c, hw}, dtype);
        const Pair mean = poisoned_pair({c}, dtype), invstd = poisoned_pair({c}, dtype);
        cpu().batch_norm_forward_training(dtype, n, c, hw, x.c(), affine ? gamma.c() : nullptr,
                                          affine ? beta.c() : nullptr, y.c(), mean.c(), invstd.c(),
                                          running_mean.c(), running_var.c(), 0.1, 1e-5);
        gpu().batch_norm_forward_training(dtype, n, c, hw, x.g(), affine ? gamma.g() : nullptr,
                                          affine ? beta.g() : nullptr, y.g(), mean.g(), invstd.g(),
                                          running_mean.g(), running_var.g(), 0.1, 1e-5);
        const double tol = tol_for(dtype, 1e-4);
        expect_close(y, tol, what + " y");
        expect_close(mean, tol, what + " mean");
        expect_close(invstd, tol, what + " invstd");
        expect_close(running_mean, tol, what + " running_mean");
        expect_close(running_var, tol, what + " running_var");
      }
    }
  }
}

TEST_F(CudaNnKernels, BatchNormTrainingWithoutRunningStatisticsWritesOnlyTheBatchStatistics) {
  Generator gen(23);
  const Pair x = random_pair({3, 4, 10}, gen, DType::Float32);
  const Pair y = poisoned_pair({3, 4, 10}, DType::Float32);
  const Pair mean = poisoned_pair({4}, DType::Float32), invstd = poisoned_pair({4}, DType::Float32);
  cpu().batch_norm_forward_training(DType::Float32, 3, 4, 10, x.c(), nullptr, nullptr, y.c(), mean.c(), invstd.c(),
                                    nullptr, nullptr, 0.1, 1e-5);
  gpu().batch_norm_forward_training(DType::Float32, 3, 4, 10, x.g(), nullptr, nullptr, y.g(), mean.g(), invstd.g(),
                                    nullptr, nullptr, 0.1, 1e-5);
  expect_close(y, 1e-4, "y");
  expect_close(mean, 1e-4, "mean");
  expect_close(invstd, 1e-4, "invstd");
}

TEST_F(CudaNnKernels, BatchNormInferenceAndBackwardMatchCpu) {
  Generator gen(24);
  const std::vector<std::array<int64_t, 3>> sizes = {{4, 3, 50}, {6, 5, 1}, {8, 16, 20000}};
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const double tol = tol_for(dtype, 1e-4);
    for (const auto& [n, c, hw] : sizes) {
      const std::string what = "batch_norm " + shape_str({n, c, hw}) + " " + name(dtype);
      const Pair x = random_pair({n, c, hw}, gen, dtype);
      const Pair gamma = random_pair({c}, gen, dtype), beta = random_pair({c}, gen, dtype);
      const Pair mean = random_pair({c}, gen, dtype, 0.1);
      const Pair invstd = on_both(rand({c}, gen, 0.5, 2.0, dtype));
      const Pair y = poisoned_pair({n, c, hw}, dtype);
      cpu().batch_norm_forward_inference(dtype, n, c, hw, x.c(), gamma.c(), beta.c(), mean.c(), invstd.c(), y.c());
      gpu().batch_norm_forward_inference(dtype, n, c, hw, x.g(), gamma.g(), beta.g(), mean.g(), invstd.g(), y.g());
      expect_close(y, tol, what + " inference");

      const Pair dy = random_pair({n, c, hw}, gen, dtype);
      for (const BatchNormMode mode : {BatchNormMode::training, BatchNormMode::inference}) {
        for (bool want_params : {true, false}) {
          const std::string pass =
              what + (mode == BatchNormMode::training ? " backward (batch stats)" : " backward (fixed stats)");
          const Pair dx = poisoned_pair({n, c, hw}, dtype);
          const Pair dgamma = poisoned_pair({c}, dtype), dbeta = poisoned_pair({c}, dtype);
          cpu().batch_norm_backward(dtype, mode, n, c, hw, x.c(), dy.c(), gamma.c(), mean.c(), invstd.c(),
                                    dx.c(), want_params ? dgamma.c() : nullptr, want_params ? dbeta.c() : nullptr);
          gpu().batch_norm_backward(dtype, mode, n, c, hw, x.g(), dy.g(), gamma.g(), mean.g(), invstd.g(),
                                    dx.g(), want_params ? dgamma.g() : nullptr, want_params ? dbeta.g() : nullptr);
          expect_close(dx, tol, pass + " dx");
          if (want_params) {
            expect_close(dgamma, tol, pass + " dgamma");
            expect_close(dbeta, tol, pass + " dbeta");
          }
        }
      }
    }
  }
}

TEST_F(CudaNnKernels, MaxPoolMatchesCpuExactlyWithTiesAndNaN) {
  Generator gen(25);
  // (N, C, H, W, kernel, stride, padding): ResNet's stem pool, non-overlapping, overlapping stride 1.
  const std::vector<std::array<int64_t, 7>> cases = {
      {2, 3, 9, 11, 3, 2, 1}, {1, 4, 8, 8, 2, 2, 0}, {2, 2, 7, 7, 3, 1, 1}, {1, 1, 5, 6, 4, 3, 2}};
  for (DType dtype : {DType::Float32, DType::Float64}) {
    for (const auto& [n, c, h, w, k, s, p] : cases) {
      Pool2dGeometry g{n, c, h, w, k, s, p, (h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1};
      const std::string what = "max_pool2d " + shape_str({n, c, h, w}) + " k" + std::to_string(k) + " s" +
                               std::to_string(s) + " p" + std::to_string(p) + " " + name(dtype);
      std::vector<double> values(n * c * h * w);
      for (auto& v : values) v = static_cast<double>(gen.below(4)) - 5.0;  // many ties
      values[gen.below(values.size())] = std::numeric_limits<double>::quiet_NaN();
      const Pair x = on_both(from_vector(values, {n, c, h, w}).to(dtype));
      const Shape y_shape{n, c, g.out_height, g.out_width};
      const Pair y = poisoned_pair(y_shape, dtype);
      const Pair indices = poisoned_pair(y_shape, DType::Int64);
      cpu().max_pool2d_forward(dtype, g, x.c(), y.c(), static_cast<int64_t*>(indices.c()), 0);
      gpu().max_pool2d_forward(dtype, g, x.g(), y.g(), static_cast<int64_t*>(indices.g()), 0);
      expect_close(y, 0.0, what + " forward");
      expect_equal_indices(indices, what + " indices");
      const Pair dy = random_pair(y_shape, gen, dtype);
      const Pair dx = poisoned_pair({n, c, h, w}, dtype);
      cpu().max_pool2d_backward(dtype, g, dy.c(), static_cast<int64_t*>(indices.c()), dx.c());
      gpu().max_pool2d_backward(dtype, g, dy.g(), static_cast<int64_t*>(indices.g()), dx.g());
      expect_close(dx, 0.0, what + " backward");
    }
  }
}

}  // namespace
}  // namespace idml
