// Reductions over the middle axis of x viewed as (outer, reduce, inner).
// Sums accumulate in double over fixed chunks, combined in a fixed order, so
// results do not depend on the number of threads.
#include <cmath>
#include <vector>

#include "engine/cpu/cpu_backend.h"

namespace idml::cpu {

namespace {

template <typename T>
double sum_run(const T* x, int64_t n) {
  double acc = 0;
  for (int64_t i = 0; i < n; ++i) acc += x[i];
  return acc;
}

template <typename T>
void sum_axis_impl(const T* x, T* out, int64_t outer, int64_t reduce, int64_t inner) {
  if (inner == 1) {
    constexpr int64_t kChunk = 4096;
    if (outer >= 8 || reduce <= kChunk) {
#pragma omp parallel for if (outer * reduce > kParallelGrain)
      for (int64_t o = 0; o < outer; ++o) out[o] = static_cast<T>(sum_run(x + o * reduce, reduce));
      return;
    }
    for (int64_t o = 0; o < outer; ++o) {
      const int64_t chunks = (reduce + kChunk - 1) / kChunk;
      std::vector<double> partial(chunks);
#pragma omp parallel for
      for (int64_t c = 0; c < chunks; ++c)
        partial[c] = sum_run(x + o * reduce + c * kChunk, std::min(kChunk, reduce - c * kChunk));
      double acc = 0;
      for (double p : partial) acc += p;
      out[o] = static_cast<T>(acc);
    }
    return;
  }
  constexpr int64_t kBlock = 256;
  const int64_t blocks = (inner + kBlock - 1) / kBlock;
#pragma omp parallel for collapse(2) if (outer * reduce * inner > kParallelGrain)
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t blk = 0; blk < blocks; ++blk) {
      const int64_t i0 = blk * kBlock, width = std::min(kBlock, inner - i0);
      double acc[kBlock] = {};
      for (int64_t r = 0; r < reduce; ++r) {
        const T* row = x + (o * reduce + r) * inner + i0;
        for (int64_t j = 0; j < width; ++j) acc[j] += row[j];
      }
      for (int64_t j = 0; j < width; ++j) out[o * inner + i0 + j] = static_cast<T>(acc[j]);
    }
  }
}

}  // namespace

void CpuBackend::sum_axis(DType dtype, const void* x, void* out, int64_t outer, int64_t reduce, int64_t inner) {
  dispatch_float(dtype, "sum", [&](auto zero) {
    using T = decltype(zero);
    sum_axis_impl(static_cast<const T*>(x), static_cast<T*>(out), outer, reduce, inner);
  });
}

void CpuBackend::max_axis(DType dtype, const void* x_ptr, void* values_ptr, int64_t* indices, int64_t outer,
                          int64_t reduce, int64_t inner) {
  dispatch_float(dtype, "max", [&](auto zero) {
    using T = decltype(zero);
    const T* x = static_cast<const T*>(x_ptr);
    T* values = static_cast<T*>(values_ptr);
#pragma omp parallel for collapse(2) if (outer * reduce * inner > kParallelGrain)
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        const T* base = x + o * reduce * inner + i;
        T best = base[0];
        int64_t best_index = 0;
        for (int64_t r = 1; r < reduce; ++r) {
          const T v = base[r * inner];
          // First maximum wins; NaN propagates as in PyTorch.
          if (!std::isnan(best) && (v > best || std::isnan(v))) {
            best = v;
            best_index = r;
          }
        }
        values[o * inner + i] = best;
        indices[o * inner + i] = best_index;
      }
    }
  });
}

void CpuBackend::max_axis_backward(DType dtype, const void* dy_ptr, const int64_t* indices, void* dx_ptr,
                                   int64_t outer, int64_t reduce, int64_t inner) {
  dispatch_float(dtype, "max backward", [&](auto zero) {
    using T = decltype(zero);
    const T* dy = static_cast<const T*>(dy_ptr);
    T* dx = static_cast<T*>(dx_ptr);
    const int64_t n = outer * reduce * inner;
#pragma omp parallel for if (n > kParallelGrain)
    for (int64_t k = 0; k < n; ++k) dx[k] = T(0);
#pragma omp parallel for collapse(2) if (n > kParallelGrain)
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i)
        dx[(o * reduce + indices[o * inner + i]) * inner + i] = dy[o * inner + i];
  });
}

}  // namespace idml::cpu
