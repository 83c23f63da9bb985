// `idml search`'s exact index search (train/search): one query and a batch of
// queries against a synthetic 100k x 512 index (SOP-sized and more), k = 10.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "train/metrics/evaluate.h"
#include "train/search/embedding_index.h"
#include "random_rows.h"

namespace {

constexpr int64_t kRows = 100000, kDim = 512;

const std::vector<float>& index_rows() {
  static const std::vector<float> rows = idml::bench::random_unit_rows(kRows, kDim);
  return rows;
}

void BM_SearchIndex(benchmark::State& state) {
  const int64_t queries = state.range(0);
  const std::vector<float>& rows = index_rows();
  for (auto _ : state) {
    auto found = idml::search::search_index(rows.data(), queries, rows.data(), kRows, kDim, 10);
    benchmark::DoNotOptimize(found.indices.data());
  }
  state.counters["queries/s"] = benchmark::Counter(static_cast<double>(queries), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_SearchIndex)->Arg(1)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
