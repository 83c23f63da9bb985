// sgemm of OpenBLAS (cblas_sgemm, what the CPU backend's gemm calls) against
// oneDNN (dnnl_sgemm) on the same row-major problems, in GFLOP/s: a large
// square one, the linear layers of the IDML head (batch 8, 2048 -> 512), and
// a kNN similarity block of the metrics (4096 x 512 @ 512 x 4096).
// Run: OMP_NUM_THREADS=2 build/bench/engine/bench_gemm_libraries
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <oneapi/dnnl/dnnl.h>

#include <vector>

namespace {

struct Problem {
  std::vector<float> a, b, c;
  Problem(int64_t m, int64_t n, int64_t k) : a(m * k, 0.5f), b(k * n, 0.25f), c(m * n) {}
};

void set_rate(benchmark::State& state, int64_t m, int64_t n, int64_t k) {
  state.counters["GFLOPS"] =
      benchmark::Counter(2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

// C (m, n) = A (m, k) @ B (n, k)^T when transpose_b (the linear / similarity form), else A @ B.
void BM_OpenBlas(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  const bool tb = state.range(3) != 0;
  Problem p(m, n, k);
  for (auto _ : state)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, p.a.data(), k,
                p.b.data(), tb ? k : n, 0.0f, p.c.data(), n);
  set_rate(state, m, n, k);
}

void BM_OneDnn(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  const bool tb = state.range(3) != 0;
  Problem p(m, n, k);
  for (auto _ : state)
    dnnl_sgemm('N', tb ? 'T' : 'N', m, n, k, 1.0f, p.a.data(), k, p.b.data(), tb ? k : n, 0.0f, p.c.data(), n);
  set_rate(state, m, n, k);
}

#define GEMM_SHAPES                                                                                    \
  Args({2048, 2048, 2048, 0})->Args({8, 512, 2048, 1})->Args({2048, 512, 8, 0})->Args({4096, 4096, 512, 1}) \
      ->ArgNames({"M", "N", "K", "Bt"})->Unit(benchmark::kMillisecond)->UseRealTime()
BENCHMARK(BM_OpenBlas)->GEMM_SHAPES;
BENCHMARK(BM_OneDnn)->GEMM_SHAPES;

}  // namespace

BENCHMARK_MAIN();
