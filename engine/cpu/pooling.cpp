// max_pool2d over (N, C, H, W), plain or held in channel blocks
// (N, C/b, H, W, b) as oneDNN's convolutions leave it. Padding acts as -inf;
// the first maximum of a window wins, and the last NaN, as in PyTorch.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "engine/cpu/cpu_backend.h"

namespace idml::cpu {

namespace {

// Plain (N, C, H, W): one plane per task, a row of outputs at a time.
template <typename T, bool kIndices>
void max_pool_plain(const Pool2dGeometry& g, const T* x_all, T* y_all, int64_t* indices) {
  const int64_t planes = g.batch * g.channels;
  const int64_t in_plane = g.in_height * g.in_width, out_plane = g.out_height * g.out_width;
  const int64_t in_width = g.in_width, stride = g.stride, padding = g.padding;
#pragma omp parallel for if (planes * out_plane > kParallelGrain / 8)
  for (int64_t p = 0; p < planes; ++p) {
    const T* x = x_all + p * in_plane;
    for (int64_t oh = 0; oh < g.out_height; ++oh) {
      T* y = y_all + p * out_plane + oh * g.out_width;
      int64_t* idx = kIndices ? indices + p * out_plane + oh * g.out_width : nullptr;
      const int64_t h0 = oh * g.stride - g.padding;
      const int64_t h_begin = std::max<int64_t>(h0, 0), h_end = std::min(h0 + g.kernel, g.in_height);
      for (int64_t ow = 0; ow < g.out_width; ++ow) {
        y[ow] = -std::numeric_limits<T>::infinity();
        if constexpr (kIndices) idx[ow] = h_begin * g.in_width + std::max<int64_t>(ow * g.stride - g.padding, 0);
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
            if constexpr (kIndices) idx[ow] = take ? at : idx[ow];
          }
        }
    }
  }
}

// Four float lanes (the GCC/Clang vector extension; SSE2, the x86-64
// baseline, has them): B channels are B / 4 of them.
typedef float Quad __attribute__((vector_size(16)));

// Held as (N, C/B, H, W, B), as oneDNN's convolutions leave activations
// (float32 only): the B channels of a pixel are contiguous, so one window
// scan serves them all and the output stays in that layout for the next
// convolution. The same rule per lane as the plain path; indices are written
// in the plain (N, C, OH, OW) order the backward reads.
template <int64_t B, bool kIndices>
void max_pool_channel_blocked(const Pool2dGeometry& g, const float* x, float* y, int64_t* indices) {
  const int64_t blocks = g.channels / B, rows = g.batch * blocks * g.out_height;
  const int64_t out_plane = g.out_height * g.out_width;
#pragma omp parallel for if (rows * g.out_width * B > kParallelGrain / 8)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t nb = r / g.out_height, oh = r % g.out_height;  // nb = n * blocks + channel block
    const float* xb = x + nb * g.in_height * g.in_width * B;
    const int64_t h0 = oh * g.stride - g.padding;
    const int64_t h_begin = std::max<int64_t>(h0, 0), h_end = std::min(h0 + g.kernel, g.in_height);
    for (int64_t ow = 0; ow < g.out_width; ++ow) {
      const int64_t w0 = ow * g.stride - g.padding;
      const int64_t w_begin = std::max<int64_t>(w0, 0), w_end = std::min(w0 + g.kernel, g.in_width);
      constexpr int64_t kQuads = B / 4;
      Quad best[kQuads];
      for (Quad& q : best) q = Quad{} - std::numeric_limits<float>::infinity();
      int64_t at[B];
      if constexpr (kIndices) std::fill(at, at + B, h_begin * g.in_width + w_begin);
      for (int64_t h = h_begin; h < h_end; ++h)
        for (int64_t w = w_begin; w < w_end; ++w) {
          const float* pixel = xb + (h * g.in_width + w) * B;
          for (int64_t q = 0; q < kQuads; ++q) {
            Quad v;
            std::memcpy(&v, pixel + 4 * q, sizeof v);
            const auto take = (v > best[q]) | (v != v);  // a larger value or a NaN: all-ones lanes
            if constexpr (kIndices)
              for (int64_t l = 0; l < 4; ++l) at[4 * q + l] = take[l] ? h * g.in_width + w : at[4 * q + l];
            best[q] = take ? v : best[q];
          }
        }
      std::memcpy(y + (r * g.out_width + ow) * B, best, sizeof best);
      if constexpr (kIndices) {
        const int64_t n = nb / blocks, c0 = nb % blocks * B;
        for (int64_t l = 0; l < B; ++l) indices[(n * g.channels + c0 + l) * out_plane + oh * g.out_width + ow] = at[l];
      }
    }
  }
}

template <typename T, bool kIndices>
void max_pool(const Pool2dGeometry& g, int64_t channel_block, const T* x, T* y, int64_t* indices) {
  if constexpr (std::is_same_v<T, float>) {
    if (channel_block == 16) return max_pool_channel_blocked<16, kIndices>(g, x, y, indices);
    if (channel_block == 8) return max_pool_channel_blocked<8, kIndices>(g, x, y, indices);
  }
  IDML_CHECK(channel_block == 0, "max_pool2d: no kernel for ", dtype_name(dtype_of<T>()), " in channel blocks of ",
             channel_block);
  max_pool_plain<T, kIndices>(g, x, y, indices);
}

}  // namespace

void CpuBackend::max_pool2d_forward(DType dtype, const Pool2dGeometry& g, const void* x, void* y, int64_t* indices,
                                    int64_t channel_block) {
  IDML_CHECK(channel_block == 0 || g.channels % channel_block == 0, "max_pool2d: ", g.channels,
             " channels in blocks of ", channel_block);
  dispatch_float(dtype, "max_pool2d", [&](auto zero) {
    using T = decltype(zero);
    if (indices)
      max_pool<T, true>(g, channel_block, static_cast<const T*>(x), static_cast<T*>(y), indices);
    else
      max_pool<T, false>(g, channel_block, static_cast<const T*>(x), static_cast<T*>(y), nullptr);
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
