// The lowering of conv2d to GEMM on the CPU: im2col / col2im between an
// image (C, H, W) and its column matrix (C*KH*KW, OH*OW), and the gathers that
// put several samples side by side in one column matrix. The strategies that
// use them are in im2col_conv.cpp.
#pragma once

#include <algorithm>
#include <cstring>

#include "engine/cpu/cpu_backend.h"

namespace idml::cpu::conv_lowering {

inline bool is_pointwise(const Conv2dGeometry& g) {
  return g.kernel_height == 1 && g.kernel_width == 1 && g.stride == 1 && g.padding == 0;
}

// Output columns [begin, end) whose input column ow * stride + offset lies
// inside [0, width): the rest of a row reads padding.
struct ValidRange {
  int64_t begin, end;
};
inline ValidRange valid_columns(int64_t offset, int64_t stride, int64_t width, int64_t out_width) {
  const int64_t begin = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  const int64_t end = offset >= width ? 0 : std::min(out_width, (width - 1 - offset) / stride + 1);
  return {std::min(begin, out_width), std::max(end, std::min(begin, out_width))};
}

// Whether a lowering's own loops run on the OpenMP team (samples lowered one
// by one) or serially (inside a region where each thread has its own sample).
enum class LoweringThreads { serial, team };

// x_n (C, H, W) -> col (C*KH*KW, OH*OW), rows `ld` elements apart.
template <typename T>
void im2col(const Conv2dGeometry& g, const T* x, T* col, int64_t ld, LoweringThreads threads) {
  const int64_t rows = g.in_channels * g.kernel_height * g.kernel_width;
#pragma omp parallel for if (threads == LoweringThreads::team)
  for (int64_t row = 0; row < rows; ++row) {
    const int64_t kw = row % g.kernel_width;
    const int64_t kh = (row / g.kernel_width) % g.kernel_height;
    const int64_t c = row / (g.kernel_width * g.kernel_height);
    const T* plane = x + c * g.in_height * g.in_width;
    T* out = col + row * ld;
    const int64_t w0 = kw * g.dilation - g.padding;
    const ValidRange cols = valid_columns(w0, g.stride, g.in_width, g.out_width);
    for (int64_t oh = 0; oh < g.out_height; ++oh) {
      const int64_t ih = oh * g.stride - g.padding + kh * g.dilation;
      T* out_row = out + oh * g.out_width;
      if (ih < 0 || ih >= g.in_height) {
        std::memset(out_row, 0, sizeof(T) * g.out_width);
        continue;
      }
      const T* in_row = plane + ih * g.in_width;
      std::memset(out_row, 0, sizeof(T) * cols.begin);
      if (g.stride == 1) {
        std::memcpy(out_row + cols.begin, in_row + cols.begin + w0, sizeof(T) * (cols.end - cols.begin));
      } else {
        for (int64_t ow = cols.begin; ow < cols.end; ++ow) out_row[ow] = in_row[ow * g.stride + w0];
      }
      std::memset(out_row + cols.end, 0, sizeof(T) * (g.out_width - cols.end));
    }
  }
}

// col (C*KH*KW, OH*OW), rows `ld` apart, summed back into dx_n (C, H, W),
// which starts at zero.
template <typename T>
void col2im(const Conv2dGeometry& g, const T* col, int64_t ld, T* dx, LoweringThreads threads) {
  const int64_t khw = g.kernel_height * g.kernel_width;
  // Parallel over channels: rows of one channel write only that channel's plane.
#pragma omp parallel for if (threads == LoweringThreads::team)
  for (int64_t c = 0; c < g.in_channels; ++c) {
    T* plane = dx + c * g.in_height * g.in_width;
    std::memset(plane, 0, sizeof(T) * g.in_height * g.in_width);
    for (int64_t k = 0; k < khw; ++k) {
      const int64_t kh = k / g.kernel_width, kw = k % g.kernel_width;
      const T* in = col + (c * khw + k) * ld;
      const int64_t w0 = kw * g.dilation - g.padding;
      const ValidRange cols = valid_columns(w0, g.stride, g.in_width, g.out_width);
      for (int64_t oh = 0; oh < g.out_height; ++oh) {
        const int64_t ih = oh * g.stride - g.padding + kh * g.dilation;
        if (ih < 0 || ih >= g.in_height) continue;
        T* dx_row = plane + ih * g.in_width;
        const T* in_row = in + oh * g.out_width;
        for (int64_t ow = cols.begin; ow < cols.end; ++ow) dx_row[ow * g.stride + w0] += in_row[ow];
      }
    }
  }
}

// dst (R, gs*P)[r, j*P + p] = src (N, R, P)[n0 + j, r, p]
template <typename T>
void gather_samples(const T* src, int64_t n0, int64_t gs, int64_t rows, int64_t plane, T* dst) {
#pragma omp parallel for collapse(2) if (gs * rows * plane > kParallelGrain)
  for (int64_t j = 0; j < gs; ++j)
    for (int64_t r = 0; r < rows; ++r)
      std::memcpy(dst + (r * gs + j) * plane, src + ((n0 + j) * rows + r) * plane, sizeof(T) * plane);
}

// dst (N, R, P)[n0 + j, r, p] = src (R, gs*P)[r, j*P + p] (+ bias[r])
template <typename T>
void scatter_samples(const T* src, int64_t n0, int64_t gs, int64_t rows, int64_t plane, const T* bias, T* dst) {
#pragma omp parallel for collapse(2) if (gs * rows * plane > kParallelGrain)
  for (int64_t j = 0; j < gs; ++j)
    for (int64_t r = 0; r < rows; ++r) {
      const T* in = src + (r * gs + j) * plane;
      T* out = dst + ((n0 + j) * rows + r) * plane;
      const T b = bias ? bias[r] : T(0);
      for (int64_t p = 0; p < plane; ++p) out[p] = in[p] + b;
    }
}

}  // namespace idml::cpu::conv_lowering
