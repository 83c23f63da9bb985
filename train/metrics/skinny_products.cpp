// Skinny float32 products, AVX2 + FMA or plain; see the header.
#include "train/metrics/skinny_products.h"

#include <algorithm>
#include <utility>

#include "engine/error.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define IDML_SKINNY_AVX2 1
#endif

namespace idml::metrics {
namespace {

void plain_rows(const float* points, int64_t begin, int64_t end, int64_t d, const float* few, int64_t m, float* out) {
  for (int64_t i = begin; i < end; ++i) {
    const float* x = points + i * d;
    for (int64_t t = 0; t < m; ++t) {
      const float* c = few + t * d;
      float sum = 0.0f;
      for (int64_t j = 0; j < d; ++j) sum += x[j] * c[j];
      out[i * m + t] = sum;
    }
  }
}

#ifdef IDML_SKINNY_AVX2
// One 8-float accumulator per column, the row's chunk loaded once. M is a
// compile-time constant so that the M accumulators stay in registers.
template <int M>
__attribute__((target("avx2,fma"))) void avx2_rows(const float* points, int64_t begin, int64_t end, int64_t d,
                                                   const float* few, float* out) {
  const int64_t body = d - d % 8;
  for (int64_t i = begin; i < end; ++i) {
    const float* x = points + i * d;
    __m256 sums[M];
    for (int t = 0; t < M; ++t) sums[t] = _mm256_setzero_ps();
    for (int64_t j = 0; j < body; j += 8) {
      const __m256 chunk = _mm256_loadu_ps(x + j);
      for (int t = 0; t < M; ++t) sums[t] = _mm256_fmadd_ps(chunk, _mm256_loadu_ps(few + t * d + j), sums[t]);
    }
    for (int t = 0; t < M; ++t) {
      alignas(32) float lanes[8];
      _mm256_store_ps(lanes, sums[t]);
      float sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
      for (int64_t j = body; j < d; ++j) sum += x[j] * few[t * d + j];
      out[i * M + t] = sum;
    }
  }
}

using RowsKernel = void (*)(const float*, int64_t, int64_t, int64_t, const float*, float*);

template <int... Ms>
RowsKernel avx2_kernel(int64_t m, std::integer_sequence<int, Ms...>) {
  constexpr RowsKernel kernels[] = {avx2_rows<Ms + 1>...};
  return kernels[m - 1];
}
#endif

bool have_avx2() {
#ifdef IDML_SKINNY_AVX2
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
#else
  return false;
#endif
}

}  // namespace

void skinny_products(const float* points, int64_t n, int64_t d, const float* few, int64_t m, float* out) {
  IDML_CHECK(m >= 1 && m <= kMaxSkinnyColumns, "skinny_products: m must be in [1, ", kMaxSkinnyColumns, "], got ", m);
  const bool avx2 = have_avx2();
  constexpr int64_t kRowsPerTask = 256;
  const int64_t tasks = (n + kRowsPerTask - 1) / kRowsPerTask;
#pragma omp parallel for schedule(static) if (n * d * m > (int64_t(1) << 20))
  for (int64_t task = 0; task < tasks; ++task) {
    const int64_t begin = task * kRowsPerTask, end = std::min(n, begin + kRowsPerTask);
#ifdef IDML_SKINNY_AVX2
    if (avx2) {
      avx2_kernel(m, std::make_integer_sequence<int, kMaxSkinnyColumns>{})(points, begin, end, d, few, out);
      continue;
    }
#endif
    plain_rows(points, begin, end, d, few, m, out);
  }
  (void)avx2;
}

}  // namespace idml::metrics
