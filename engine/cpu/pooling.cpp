// max_pool2d over (N, C, H, W), parallel over planes. Padding acts as -inf;
// the first maximum of a window wins, as in PyTorch.
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
#pragma omp parallel for if (planes * out_plane > kParallelGrain / 8)
    for (int64_t p = 0; p < planes; ++p) {
      const T* x = static_cast<const T*>(x_ptr) + p * in_plane;
      T* y = static_cast<T*>(y_ptr) + p * out_plane;
      int64_t* idx = indices + p * out_plane;
      for (int64_t oh = 0; oh < g.out_height; ++oh) {
        const int64_t h0 = oh * g.stride - g.padding;
        const int64_t h_begin = std::max<int64_t>(h0, 0), h_end = std::min(h0 + g.kernel, g.in_height);
        for (int64_t ow = 0; ow < g.out_width; ++ow) {
          const int64_t w0 = ow * g.stride - g.padding;
          const int64_t w_begin = std::max<int64_t>(w0, 0), w_end = std::min(w0 + g.kernel, g.in_width);
          T best = -std::numeric_limits<T>::infinity();
          int64_t best_index = h_begin * g.in_width + w_begin;
          for (int64_t h = h_begin; h < h_end; ++h)
            for (int64_t w = w_begin; w < w_end; ++w) {
              const T v = x[h * g.in_width + w];
              if (v > best || std::isnan(v)) {
                best = v;
                best_index = h * g.in_width + w;
                if (std::isnan(v)) goto done;
              }
            }
        done:
          y[oh * g.out_width + ow] = best;
          idx[oh * g.out_width + ow] = best_index;
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
