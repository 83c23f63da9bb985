// Timing of the evaluation metrics on random unit embeddings:
//   NearestNeighbours/n/d/k  blocked-GEMM exact kNN (Cars eval: n = 8131, k = 81 (largest
//                            class - 1); SOP eval: n = 60502, d = 512, k = 1000)
//   Evaluate/n/d/classes     the whole protocol with k-means (CUB eval: 5924 images, 100 classes)
// Run one size: bench_train_metrics --benchmark_filter=NearestNeighbours/60502
// Random data is a worst case for nothing in particular; real embeddings cost the same
// (the GEMM and the one-pass top-k do not depend on the values).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "train/metrics/evaluate.h"
#include "train/metrics/nearest_neighbours.h"
#include "random_rows.h"

namespace {

using idml::bench::random_unit_rows;

void NearestNeighbours(benchmark::State& state) {
  const int64_t n = state.range(0), d = state.range(1), k = state.range(2);
  const auto points = random_unit_rows(n, d);
  for (auto _ : state) {
    auto neighbours = idml::metrics::nearest_neighbours(points.data(), n, d, k);
    benchmark::DoNotOptimize(neighbours.indices.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * double(n) * double(n) * double(d) * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(NearestNeighbours)->Args({4096, 128, 8})->Args({8131, 512, 81})->Unit(benchmark::kMillisecond);
BENCHMARK(NearestNeighbours)->Args({20000, 512, 1000})->Args({60502, 512, 1000})->Iterations(1)->Unit(benchmark::kSecond);

void Evaluate(benchmark::State& state) {
  const int64_t n = state.range(0), d = state.range(1), classes = state.range(2);
  const auto points = random_unit_rows(n, d);
  std::vector<int64_t> labels(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) labels[static_cast<size_t>(i)] = i % classes;
  for (auto _ : state) {
    auto result = idml::metrics::evaluate(points.data(), labels.data(), n, d);
    benchmark::DoNotOptimize(result.metrics.data());
  }
}
BENCHMARK(Evaluate)->Args({5924, 512, 100})->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
