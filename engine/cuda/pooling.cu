// max_pool2d over x (N, C, H, W), mirroring engine/cpu/pooling.cpp: padding
// acts as -inf, the first maximum of a window wins (row-major scan), and so
// does the last NaN (PyTorch's rule). indices hold h * W + w within the plane.
//
// The backward gathers instead of scattering: one thread per input element
// adds dy over the windows that picked it, in increasing output order, which
// is the CPU's order of additions, so results are bitwise equal and need no
// atomics.
#include "engine/cuda/kernel_utils.cuh"

namespace idml::cuda {

namespace {

// x (N*C, H, W) -> y, indices (N*C, OH, OW) or null; one thread per output element.
template <typename T>
__global__ void max_pool_forward_kernel(Pool2dGeometry g, const T* x, T* y, int64_t* indices, int64_t total,
                                        bool fits32) {
  IDML_GRID_STRIDE_LOOP(o, total) {
    const QuotientRemainder row = divide(o, g.out_width, fits32);       // o = row * OW + ow
    const QuotientRemainder plane_oh = divide(row.quotient, g.out_height, fits32);
    const int64_t ow = row.remainder, oh = plane_oh.remainder, plane = plane_oh.quotient;
    const T* xp = x + plane * g.in_height * g.in_width;
    const int64_t h0 = oh * g.stride - g.padding, w0 = ow * g.stride - g.padding;
    const int64_t h_begin = max(h0, int64_t(0)), h_end = min(h0 + g.kernel, g.in_height);
    const int64_t w_begin = max(w0, int64_t(0)), w_end = min(w0 + g.kernel, g.in_width);
    T best = -INFINITY;
    int64_t best_index = h_begin * g.in_width + w_begin;
    for (int64_t h = h_begin; h < h_end; ++h)
      for (int64_t w = w_begin; w < w_end; ++w) {
        const T v = xp[h * g.in_width + w];
        if (v > best || isnan(v)) {  // PyTorch's rule: the first maximum, the last NaN
          best = v;
          best_index = h * g.in_width + w;
        }
      }
    y[o] = best;
    if (indices) indices[o] = best_index;
  }
}

// dy, indices (N*C, OH, OW) -> dx (N*C, H, W); one thread per input element.
template <typename T>
__global__ void max_pool_backward_kernel(Pool2dGeometry g, const T* dy, const int64_t* indices, T* dx,
                                         int64_t total, bool fits32) {
  IDML_GRID_STRIDE_LOOP(i, total) {
    const QuotientRemainder row = divide(i, g.in_width, fits32);        // i = row * W + w
    const QuotientRemainder plane_h = divide(row.quotient, g.in_height, fits32);
    const int64_t w = row.remainder, h = plane_h.remainder, plane = plane_h.quotient;
    // Windows oh with oh*s - p <= h <= oh*s - p + k - 1, clipped to the output.
    const int64_t oh_begin = h + g.padding < g.kernel ? 0 : (h + g.padding - g.kernel) / g.stride + 1;
    const int64_t oh_end = min((h + g.padding) / g.stride, g.out_height - 1);
    const int64_t ow_begin = w + g.padding < g.kernel ? 0 : (w + g.padding - g.kernel) / g.stride + 1;
    const int64_t ow_end = min((w + g.padding) / g.stride, g.out_width - 1);
    const int64_t self = h * g.in_width + w;
    const int64_t out_plane = plane * g.out_height * g.out_width;
    T acc = T(0);
    for (int64_t oh = oh_begin; oh <= oh_end; ++oh)
      for (int64_t ow = ow_begin; ow <= ow_end; ++ow) {
        const int64_t o = out_plane + oh * g.out_width + ow;
        if (indices[o] == self) acc += dy[o];
      }
    dx[i] = acc;
  }
}

}  // namespace

void CudaBackend::max_pool2d_forward(DType dtype, const Pool2dGeometry& g, const void* x, void* y,
                                     int64_t* indices, int64_t channel_block) {
  IDML_CHECK(channel_block == 0, "max_pool2d (CUDA): the input is in a CPU backend's layout");
  const int64_t total = g.batch * g.channels * g.out_height * g.out_width;
  if (total == 0) return;
  make_current_device(device_);
  dispatch_float(dtype, "max_pool2d", [&](auto zero) {
    using T = decltype(zero);
    max_pool_forward_kernel<T><<<blocks_for(total), kThreads, 0, stream_>>>(g, static_cast<const T*>(x),
                                                                            static_cast<T*>(y), indices, total,
                                                                            fits_32bit(total));
  });
  IDML_CUDA_CHECK_LAUNCH();
}

void CudaBackend::max_pool2d_backward(DType dtype, const Pool2dGeometry& g, const void* dy, const int64_t* indices,
                                      void* dx) {
  const int64_t total = g.batch * g.channels * g.in_height * g.in_width;
  if (total == 0) return;
  make_current_device(device_);
  dispatch_float(dtype, "max_pool2d backward", [&](auto zero) {
    using T = decltype(zero);
    max_pool_backward_kernel<T><<<blocks_for(total), kThreads, 0, stream_>>>(g, static_cast<const T*>(dy), indices,
                                                                             static_cast<T*>(dx), total,
                                                                             fits_32bit(total));
  });
  IDML_CUDA_CHECK_LAUNCH();
}

}  // namespace idml::cuda
