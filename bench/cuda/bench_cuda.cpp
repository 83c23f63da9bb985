// GPU rates of the CUDA backend's heaviest kernels, called directly on the
// backend (no autograd, no allocation inside the timed loop):
//   - GEMM 4096^3 in FP32, with TF32 tensor cores, and in FP64, TFLOP/s;
//   - conv2d forward / backward-data / backward-filter at ResNet-50 layer
//     shapes, batch 120, 224x224 input (cuDNN, PyTorch's default TF32 math),
//     TFLOP/s with 2*N*OC*OH*OW*C*KH*KW flops per pass;
//   - batch norm training forward + backward and relu, GB/s of tensor traffic.
// One line "RESULT <name> <value> <unit>" per rate. Not run by check_gpu.sh (it times whole steps);
// in the release: libexec/bench_cuda.
// Run: build/bench/cuda/bench_cuda [--quick]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>

#include "engine/backend.h"
#include "engine/cuda/cuda_backend.h"
#include "engine/generator.h"
#include "engine/tensor.h"

namespace idml {
namespace {

double g_min_seconds = 0.4;

// Seconds per call of f, after warm-up calls (the first picks cuDNN algorithms).
double time_per_call(Backend& be, const std::function<void()>& f) {
  for (int i = 0; i < 3; ++i) f();
  be.synchronize();
  int iterations = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  do {
    f();
    ++iterations;
    if (iterations % 5 == 0 || iterations < 5) {
      be.synchronize();
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  } while (elapsed < g_min_seconds && iterations < 2000);
  be.synchronize();
  elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return elapsed / iterations;
}

void report(const std::string& name, double value, const char* unit, double ms) {
  std::printf("%-44s %10.2f %-7s (%8.3f ms)\n", name.c_str(), value, unit, ms);
  std::printf("RESULT %s %.4f %s\n", name.c_str(), value, unit);
  std::fflush(stdout);
}

Tensor device_randn(const Shape& shape, Generator& gen, DType dtype = DType::Float32) {
  return randn(shape, gen, 0.0, 1.0, dtype).to(Device::cuda());
}

void bench_gemm(Backend& be, Generator& gen) {
  const int64_t n = 4096;
  for (const auto& [label, dtype, tf32] :
       {std::tuple<const char*, DType, bool>{"sgemm_4096_fp32", DType::Float32, false},
        {"sgemm_4096_tf32", DType::Float32, true}, {"dgemm_4096_fp64", DType::Float64, false}}) {
    cuda::set_math_options({true, tf32});
    const Tensor a = device_randn({n, n}, gen, dtype), b = device_randn({n, n}, gen, dtype);
    const Tensor c = empty({n, n}, dtype, Device::cuda());
    const double t = time_per_call(be, [&] {
      be.gemm(dtype, Transpose::none, n, n, n, 1.0, a.raw_data(), n, b.raw_data(), n, 0.0, c.raw_data(), n);
    });
    report(label, 2.0 * n * n * n / t / 1e12, "TFLOP/s", t * 1e3);
  }
  cuda::set_math_options({true, false});
}

struct ConvLayer {
  const char* name;
  int64_t channels, size, out_channels, kernel, stride;
};

void bench_conv(Backend& be, Generator& gen, int64_t batch) {
  // ResNet-50 at 224x224: the stem, the first 3x3 of each stage, and typical 1x1s.
  const ConvLayer layers[] = {
      {"conv1_7x7_3to64_224", 3, 224, 64, 7, 2},   {"l1_3x3_64_56", 64, 56, 64, 3, 1},
      {"l1_1x1_256to64_56", 256, 56, 64, 1, 1},    {"l2_3x3_128_28", 128, 28, 128, 3, 1},
      {"l3_3x3_256_14", 256, 14, 256, 3, 1},       {"l3_1x1_1024to256_14", 1024, 14, 256, 1, 1},
      {"l4_3x3_512_7", 512, 7, 512, 3, 1},
  };
  for (const ConvLayer& l : layers) {
    const int64_t pad = l.kernel / 2;
    Conv2dGeometry g{batch, l.channels, l.size, l.size, l.out_channels, l.kernel, l.kernel, l.stride, pad, 1, 0, 0};
    g.out_height = g.out_width = (l.size + 2 * pad - l.kernel) / l.stride + 1;
    const Tensor x = device_randn({batch, l.channels, l.size, l.size}, gen);
    const Tensor w = device_randn({l.out_channels, l.channels, l.kernel, l.kernel}, gen);
    const Tensor y = empty({batch, l.out_channels, g.out_height, g.out_width}, DType::Float32, Device::cuda());
    const Tensor dx = empty(x.shape(), DType::Float32, Device::cuda());
    const Tensor dw = empty(w.shape(), DType::Float32, Device::cuda());
    const double flops = 2.0 * batch * l.out_channels * g.out_height * g.out_width * l.channels * l.kernel * l.kernel;
    const DType f32 = DType::Float32;
    const double t_fwd = time_per_call(be, [&] { be.conv2d_forward(f32, g, x.raw_data(), w.raw_data(), nullptr, {}, y.raw_data(), {}); });
    report(std::string("conv_fwd_") + l.name, flops / t_fwd / 1e12, "TFLOP/s", t_fwd * 1e3);
    const double t_bd = time_per_call(be, [&] { be.conv2d_backward_input(f32, g, y.raw_data(), w.raw_data(), dx.raw_data(), {}); });
    report(std::string("conv_bwd_data_") + l.name, flops / t_bd / 1e12, "TFLOP/s", t_bd * 1e3);
    const double t_bf = time_per_call(be, [&] { be.conv2d_backward_weight(f32, g, x.raw_data(), y.raw_data(), dw.raw_data(), nullptr, {}); });
    report(std::string("conv_bwd_filter_") + l.name, flops / t_bf / 1e12, "TFLOP/s", t_bf * 1e3);
  }
}

void bench_memory_bound(Backend& be, Generator& gen, int64_t batch) {
  // The output of ResNet-50's stem: (batch, 64, 112, 112).
  const int64_t c = 64, hw = 112 * 112;
  const Tensor x = device_randn({batch, c, 112, 112}, gen);
  const Tensor y = empty(x.shape(), DType::Float32, Device::cuda());
  const Tensor dx = empty(x.shape(), DType::Float32, Device::cuda());
  const Tensor gamma = device_randn({c}, gen), beta = device_randn({c}, gen);
  const Tensor mean = empty({c}, DType::Float32, Device::cuda()), invstd = empty({c}, DType::Float32, Device::cuda());
  const Tensor rm = zeros({c}, DType::Float32, Device::cuda()), rv = ones({c}, DType::Float32, Device::cuda());
  const Tensor dgamma = empty({c}, DType::Float32, Device::cuda()), dbeta = empty({c}, DType::Float32, Device::cuda());
  const double bytes = static_cast<double>(x.nbytes());
  const DType f32 = DType::Float32;
  const double t_fwd = time_per_call(be, [&] {
    be.batch_norm_forward_training(f32, batch, c, hw, x.raw_data(), gamma.raw_data(), beta.raw_data(), y.raw_data(),
                                   mean.raw_data(), invstd.raw_data(), rm.raw_data(), rv.raw_data(), 0.1, 1e-5);
  });
  report("batch_norm_fwd_train_120x64x112x112", 4 * bytes / t_fwd / 1e9, "GB/s", t_fwd * 1e3);  // 3 reads, 1 write
  const double t_bwd = time_per_call(be, [&] {
    be.batch_norm_backward(f32, BatchNormMode::training, batch, c, hw, x.raw_data(), y.raw_data(), gamma.raw_data(),
                           mean.raw_data(), invstd.raw_data(), dx.raw_data(), dgamma.raw_data(), dbeta.raw_data());
  });
  report("batch_norm_bwd_120x64x112x112", 5 * bytes / t_bwd / 1e9, "GB/s", t_bwd * 1e3);  // 4 reads, 1 write
  const double t_relu = time_per_call(be, [&] {
    be.unary(UnaryOp::Relu, f32, x.raw_data(), y.raw_data(), x.numel(), 0, 0);
  });
  report("relu_120x64x112x112", 2 * bytes / t_relu / 1e9, "GB/s", t_relu * 1e3);
}

}  // namespace
}  // namespace idml

int main(int argc, char** argv) {
  using namespace idml;
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  if (quick) g_min_seconds = 0.1;
  if (cuda::device_count() == 0) {
    std::printf("bench_cuda: no CUDA device: %s\n", cuda::unavailable_reason().c_str());
    return 2;
  }
  try {
    Backend& be = backend_for(Device::cuda());
    Generator gen(1);
    const int64_t batch = 120;
    bench_gemm(be, gen);
    bench_conv(be, gen, batch);
    bench_memory_bound(be, gen, batch);
    const cuda::MemoryStats m = cuda::memory_stats(0);
    std::printf("memory: %.1f MB in tensors, %.1f MB cached, %zu cudaMalloc calls\n", m.allocated_bytes / 1e6,
                m.cached_bytes / 1e6, m.device_mallocs);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_cuda: %s\n", e.what());
    return 1;
  }
  return 0;
}
