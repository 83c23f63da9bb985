// Naive reference kernels: direct loops with no blocking, no BLAS, no
// threads. Slow on purpose and easy to check by eye; the tests compare the
// fast kernels against them.
#pragma once

#include <cstdint>

#include "engine/backend.h"

namespace idml::cpu::reference {

// c (m, n) = op(a) (m, k) @ op(b) (k, n), row-major, accumulated in double.
void matmul(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k, const double* a, const double* b,
            double* c);

// y (N, OC, OH, OW) = conv(x (N, C, H, W), w (OC, C, KH, KW)) + bias (OC, may be null).
void conv2d(const Conv2dGeometry& g, const double* x, const double* w, const double* bias, double* y);

}  // namespace idml::cpu::reference
