// max_pool2d over (N, C, H, W), parallel over planes. Padding acts as -inf;
// the first maximum of a window wins, and the last NaN, as in PyTorch.
#include <cmath>
#include <limits>

#include "engine/cpu/cpu_backend.h"

namespace idml::cpu {

void CpuBackend::max_pool2d_forward(DType dtype, const Pool2dGeometry& g, const void* x_ptr, void* y_ptr,
                                    int64_t* indices) {
  dispatch_float(dtype, "max_pool2d", [&](auto zero) {
    using T = decltype(zero);
    const int64_t planes = g.batch * g.channels;
    const int64_t in_plane = g.in_height * g.in_width, out_plane = g.out_height * g.out_width;
    const int64_t in_width = g.in_width, stride = g.stride, padding = g.padding;
#pragma omp parallel for if (planes * out_plane > kParallelGrain / 8)
    for (int64_t p = 0; p < planes; ++p) {
      const T* x = static_cast<const T*>(x_ptr) + p * in_plane;
      for (int64_t oh = 0; oh < g.out_height; ++oh) {
        T* y = static_cast<T*>(y_ptr) + p * out_plane + oh * g.out_width;
        int64_t* idx = indices + p * out_plane + oh * g.out_width;
        const int64_t h0 = oh * g.stride - g.padding;
        const int64_t h_begin = std::max<int64_t>(h0, 0), h_end = std::min(h0 + g.kernel, g.in_height);
        for (int64_t ow = 0; ow < g.out_width; ++ow) {
          y[ow] = -std::numeric_limits<T>::infinity();
          idx[ow] = h_begin * g.in_width + std::max<int64_t>(ow * g.stride - g.padding, 0);
        }
        // The window's positions in PyTorch's order (row-major) for every
        // output of the row at once, with PyTorch's update rule: a larger
        // value or any NaN replaces the best (so the first maximum and the
        // last NaN win).
        for (int64_t h = h_begin; h < h_end; ++h)
          for (int64_t kw = 0; kw < g.kernel; ++kw) {
            // outputs whose window column w = ow * stride + kw - padding is inside [0, W)
            const int64_t lo = g.padding > kw ? (g.padding - kw + g.stride - 1) / g.stride : 0;
            const int64_t last_w = g.in_width - 1 + g.padding - kw;
            const int64_t hi = last_w < 0 ? 0 : std::min(g.out_width, last_w / g.stride + 1);
            const int64_t first = h * in_width + kw - padding;  // x[first + ow * stride]: the window's column
            for (int64_t ow = lo; ow < hi; ++ow) {  // branch-free: the data decide, not the predictor
              const int64_t at = first + ow * stride;
              const T v = x[at];
              const bool take = v > y[ow] || std::isnan(v);
              y[ow] = take ? v : y[ow];
              idx[ow] = take ? at : idx[ow];
            }
          }
      }
    }
  });
}

void CpuBackend::max_pool2d_backward(DType dtype, const Pool2dGeometry& g, const void* dy_ptr,
                                     const int64_t* indices, void* dx_ptr) {
  dispatch_float(dtype, "max_pool2d backward", [&](auto zero) {
    using T = decltype(zero);
    const int64_t planes = g.batch * g.channels;
    const int64_t in_plane = g.in_height * g.in_width, out_plane = g.out_height * g.out_width;
#pragma omp parallel for if (planes * in_plane > kParallelGrain / 8)
    for (int64_t p = 0; p < planes; ++p) {
      T* dx = static_cast<T*>(dx_ptr) + p * in_plane;
      const T* dy = static_cast<const T*>(dy_ptr) + p * out_plane;
      const int64_t* idx = indices + p * out_plane;
      for (int64_t i = 0; i < in_plane; ++i) dx[i] = T(0);
      for (int64_t o = 0; o < out_plane; ++o) dx[idx[o]] += dy[o];  // windows overlap: add
    }
  });
}

}  // namespace idml::cpu
