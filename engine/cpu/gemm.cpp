// GEMM, row-major: C (m, n) = alpha op(A) (m, k) @ op(B) (k, n) + beta C.
// float32 goes to oneDNN's sgemm, which picks AVX2, AVX-512 or AMX kernels
// when it runs (a BLAS built before the CPU may not use it: Debian's OpenBLAS
// 0.3.21 reached 13% of an AVX-512 Xeon's peak, oneDNN 83%). float64 exists only for the
// tests' references and finite differences, on small shapes: a plain loop.
#include <oneapi/dnnl/dnnl.h>

#include <string>

#include "engine/cpu/cpu_backend.h"

namespace idml::cpu {

namespace {

// One row of C per iteration, each summed in a fixed order by one thread, so
// the result does not depend on the thread count. With B transposed the row
// is a set of dot products over contiguous rows of A and B; otherwise rows of
// B are streamed into the row of C.
void plain_dgemm(Transpose transpose, int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t lda,
                 const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  const bool transpose_a = transposes_first(transpose), transpose_b = transposes_second(transpose);
  const auto a_at = [&](int64_t i, int64_t p) { return transpose_a ? a[p * lda + i] : a[i * lda + p]; };
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < m; ++i) {
    double* row = c + i * ldc;
    for (int64_t j = 0; j < n; ++j) row[j] = beta == 0.0 ? 0.0 : beta * row[j];  // beta 0 ignores C, as BLAS
    if (transpose_b) {
      for (int64_t j = 0; j < n; ++j) {
        double dot = 0.0;
        for (int64_t p = 0; p < k; ++p) dot += a_at(i, p) * b[j * ldb + p];
        row[j] += alpha * dot;
      }
    } else {
      for (int64_t p = 0; p < k; ++p) {
        const double scale = alpha * a_at(i, p);
        const double* b_row = b + p * ldb;
        for (int64_t j = 0; j < n; ++j) row[j] += scale * b_row[j];
      }
    }
  }
}

}  // namespace

void CpuBackend::gemm(DType dtype, Transpose transpose, int64_t m, int64_t n, int64_t k, double alpha,
                      const void* a, int64_t lda, const void* b, int64_t ldb, double beta, void* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (dtype == DType::Float32) {
    const dnnl_status_t status =
        dnnl_sgemm(transposes_first(transpose) ? 'T' : 'N', transposes_second(transpose) ? 'T' : 'N', m, n, k,
                   static_cast<float>(alpha), static_cast<const float*>(a), lda, static_cast<const float*>(b), ldb,
                   static_cast<float>(beta), static_cast<float*>(c), ldc);
    if (status != dnnl_success)
      throw Error("gemm: oneDNN's sgemm failed (status " + std::to_string(static_cast<int>(status)) + ") for m " +
                  std::to_string(m) + ", n " + std::to_string(n) + ", k " + std::to_string(k));
  } else if (dtype == DType::Float64) {
    plain_dgemm(transpose, m, n, k, alpha, static_cast<const double*>(a), lda,
                static_cast<const double*>(b), ldb, beta, static_cast<double*>(c), ldc);
  } else {
    throw Error(std::string("gemm: not defined for ") + dtype_name(dtype));
  }
}

}  // namespace idml::cpu
