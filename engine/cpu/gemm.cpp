// GEMM, row-major: float32 through oneDNN's sgemm (it picks AVX2, AVX-512 or
// AMX kernels when it runs; a distribution's OpenBLAS may be pinned to an older
// CPU's kernels), float64 through BLAS (cblas_dgemm; oneDNN has no f64 GEMM).
// bench/engine/bench_gemm_libraries compares the two sgemms.
#include <cblas.h>

#include <oneapi/dnnl/dnnl.h>

#include "engine/cpu/cpu_backend.h"

namespace idml::cpu {

void CpuBackend::gemm(DType dtype, bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k,
                      double alpha, const void* a, int64_t lda, const void* b, int64_t ldb, double beta, void* c,
                      int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (dtype == DType::Float32) {
    const dnnl_status_t status =
        dnnl_sgemm(transpose_a ? 'T' : 'N', transpose_b ? 'T' : 'N', m, n, k, static_cast<float>(alpha),
                   static_cast<const float*>(a), lda, static_cast<const float*>(b), ldb, static_cast<float>(beta),
                   static_cast<float*>(c), ldc);
    IDML_CHECK(status == dnnl_success, "gemm: dnnl_sgemm failed (status ", static_cast<int>(status), ") for m ", m,
               ", n ", n, ", k ", k);
  } else if (dtype == DType::Float64) {
    cblas_dgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans, m,
                n, k, alpha, static_cast<const double*>(a), lda, static_cast<const double*>(b), ldb, beta,
                static_cast<double*>(c), ldc);
  } else {
    throw Error(std::string("gemm: not defined for ") + dtype_name(dtype));
  }
}

}  // namespace idml::cpu
