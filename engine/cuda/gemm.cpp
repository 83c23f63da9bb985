// GEMM with cuBLAS, row-major. cuBLAS is column-major, and a row-major
// matrix read column-major is its transpose, so
//   C = op(A) op(B)  (row-major)   <=>   C^T = op(B)^T op(A)^T  (column-major)
// is one cuBLAS call with the operands swapped and m, n exchanged.
// Float32 uses TF32 tensor cores only when the math options set tf32_gemm.
#include <algorithm>
#include <climits>

#include "engine/cuda/cuda_backend.h"
#include "engine/cuda/cuda_check.h"
#include "engine/cuda/cuda_device_backend.h"

namespace idml::cuda {

namespace {
int as_int(int64_t v, const char* what) {
  IDML_CHECK(v >= 0 && v <= INT_MAX, "gemm (CUDA): ", what, " = ", v, " exceeds cuBLAS's 32-bit sizes");
  return static_cast<int>(v);
}
}  // namespace

void CudaBackend::gemm(DType dtype, Transpose transpose, int64_t m, int64_t n, int64_t k, double alpha,
                       const void* a, int64_t lda, const void* b, int64_t ldb, double beta, void* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  const int mi = as_int(m, "m"), ni = as_int(n, "n"), ki = as_int(k, "k");
  // With k = 0 the leading dims of A and B may be 0, which cuBLAS rejects though it reads nothing.
  const int lda_i = std::max(1, as_int(lda, "lda")), ldb_i = std::max(1, as_int(ldb, "ldb"));
  const int ldc_i = as_int(ldc, "ldc");
  const cublasOperation_t op_a = transposes_first(transpose) ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_b = transposes_second(transpose) ? CUBLAS_OP_T : CUBLAS_OP_N;
  make_current_device(device_);
  if (dtype == DType::Float32) {
    const float alpha_f = static_cast<float>(alpha), beta_f = static_cast<float>(beta);
    IDML_CUBLAS_CHECK(cublasSetMathMode(
        cublas_, current_math_options().tf32_gemm ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
    IDML_CUBLAS_CHECK(cublasSgemm(cublas_, op_b, op_a, ni, mi, ki, &alpha_f, static_cast<const float*>(b), ldb_i,
                                  static_cast<const float*>(a), lda_i, &beta_f, static_cast<float*>(c), ldc_i));
  } else if (dtype == DType::Float64) {
    IDML_CUBLAS_CHECK(cublasDgemm(cublas_, op_b, op_a, ni, mi, ki, &alpha, static_cast<const double*>(b), ldb_i,
                                  static_cast<const double*>(a), lda_i, &beta, static_cast<double*>(c), ldc_i));
  } else {
    throw Error(std::string("gemm (CUDA): not defined for ") + dtype_name(dtype));
  }
}

}  // namespace idml::cuda
