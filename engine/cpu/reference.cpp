// Naive matmul and direct convolution on raw float64 buffers (reference.h).
#include "engine/cpu/reference.h"

namespace idml::cpu::reference {

void matmul(Transpose transpose, int64_t m, int64_t n, int64_t k, const double* a, const double* b, double* c) {
  const bool transpose_a = transposes_first(transpose), transpose_b = transposes_second(transpose);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (int64_t p = 0; p < k; ++p) {
        const double av = transpose_a ? a[p * m + i] : a[i * k + p];
        const double bv = transpose_b ? b[j * k + p] : b[p * n + j];
        acc += av * bv;
      }
      c[i * n + j] = acc;
    }
}

void conv2d(const Conv2dGeometry& g, const double* x, const double* w, const double* bias, double* y) {
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t oc = 0; oc < g.out_channels; ++oc)
      for (int64_t oh = 0; oh < g.out_height; ++oh)
        for (int64_t ow = 0; ow < g.out_width; ++ow) {
          double acc = bias ? bias[oc] : 0.0;
          for (int64_t c = 0; c < g.in_channels; ++c)
            for (int64_t kh = 0; kh < g.kernel_height; ++kh)
              for (int64_t kw = 0; kw < g.kernel_width; ++kw) {
                const int64_t ih = oh * g.stride - g.padding + kh * g.dilation;
                const int64_t iw = ow * g.stride - g.padding + kw * g.dilation;
                if (ih < 0 || ih >= g.in_height || iw < 0 || iw >= g.in_width) continue;
                acc += x[((n * g.in_channels + c) * g.in_height + ih) * g.in_width + iw] *
                       w[((oc * g.in_channels + c) * g.kernel_height + kh) * g.kernel_width + kw];
              }
          y[((n * g.out_channels + oc) * g.out_height + oh) * g.out_width + ow] = acc;
        }
}

}  // namespace idml::cpu::reference
