// CPU rates of the engine's heaviest kernels, in GFLOP/s:
//   - sgemm through the backend (oneDNN; the ceiling the convolutions are measured against),
//   - conv2d forward, and forward + backward, at ResNet-50 shapes, batch 8.
// Run: build/bench/engine/bench_engine  (--benchmark_filter=Conv to narrow)
// The "GFLOPS" counter is 2*M*N*K (GEMM) or 2*N*OC*OH*OW*C*KH*KW per forward;
// forward+backward counts three times the forward (dX and dW GEMMs).
#include <benchmark/benchmark.h>

#include "engine/autograd.h"
#include "engine/generator.h"
#include "engine/ops.h"

namespace idml {
namespace {

void BM_Sgemm(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  Generator gen(1);
  const Tensor a = randn({m, k}, gen), b = randn({k, n}, gen);
  for (auto _ : state) benchmark::DoNotOptimize(matmul(a, b).raw_data());
  state.counters["GFLOPS"] =
      benchmark::Counter(2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}
BENCHMARK(BM_Sgemm)->Args({1024, 1024, 1024})->Args({64, 3136, 576})->Args({128, 784, 512})
    ->Args({256, 196, 2304})->ArgNames({"M", "N", "K"})->Unit(benchmark::kMillisecond)->UseRealTime();

struct ConvShape {
  int64_t batch, channels, size, out_channels, kernel, stride;
};

double conv_flops(const ConvShape& s) {
  const int64_t pad = s.kernel / 2;
  const int64_t out = (s.size + 2 * pad - s.kernel) / s.stride + 1;
  return 2.0 * s.batch * s.out_channels * out * out * s.channels * s.kernel * s.kernel;
}

ConvShape shape_of(const benchmark::State& state) {
  return {8, state.range(0), state.range(1), state.range(2), state.range(3), state.range(4)};
}

void BM_Conv2dForward(benchmark::State& state) {
  const ConvShape s = shape_of(state);
  Generator gen(2);
  const Tensor x = randn({s.batch, s.channels, s.size, s.size}, gen);
  const Tensor w = randn({s.out_channels, s.channels, s.kernel, s.kernel}, gen, 0, 0.05);
  NoGradGuard no_grad;
  for (auto _ : state)
    benchmark::DoNotOptimize(conv2d(x, w, Tensor(), {s.stride, s.kernel / 2, 1}).stored_bytes().data);
  state.counters["GFLOPS"] = benchmark::Counter(conv_flops(s), benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::kIs1000);
}

void BM_Conv2dForwardBackward(benchmark::State& state) {
  const ConvShape s = shape_of(state);
  Generator gen(3);
  const Tensor x = randn({s.batch, s.channels, s.size, s.size}, gen).set_requires_grad(true);
  const Tensor w = randn({s.out_channels, s.channels, s.kernel, s.kernel}, gen, 0, 0.05).set_requires_grad(true);
  Tensor seed;
  for (auto _ : state) {
    const Tensor y = conv2d(x, w, Tensor(), {s.stride, s.kernel / 2, 1});
    if (!seed.defined()) seed = ones(y.shape());
    y.backward(seed);
    x.zero_grad();
    w.zero_grad();
  }
  state.counters["GFLOPS"] = benchmark::Counter(3 * conv_flops(s), benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::kIs1000);
}

// channels, size, out_channels, kernel, stride
#define IDML_RESNET50_CONV_SHAPES                                                      \
  Args({64, 56, 64, 3, 1})->Args({512, 28, 128, 1, 1})->Args({256, 14, 256, 3, 1})     \
      ->Args({64, 56, 256, 1, 1})->Args({512, 7, 512, 3, 1})->Args({3, 224, 64, 7, 2}) \
      ->ArgNames({"C", "HW", "OC", "K", "S"})->Unit(benchmark::kMillisecond)->UseRealTime()

BENCHMARK(BM_Conv2dForward)->IDML_RESNET50_CONV_SHAPES;
BENCHMARK(BM_Conv2dForwardBackward)->IDML_RESNET50_CONV_SHAPES;

}  // namespace
}  // namespace idml

BENCHMARK_MAIN();
