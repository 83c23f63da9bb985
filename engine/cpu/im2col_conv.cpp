// conv2d as im2col + GEMM (see the header). Strategies by the size of the
// output map: large maps (OH*OW >= kWideColumns): with at least as many
// samples as threads, each thread takes whole samples and calls a
// single-threaded GEMM (the sgemm runs one thread inside an OpenMP region);
// otherwise samples go one by one through a threaded GEMM. Small maps (the
// late stages, 7x7 and 14x14) would make thin GEMMs, so samples are lowered
// side by side into one (K, G*OH*OW) matrix and each group of G samples is one
// threaded GEMM. A 1x1, stride-1, unpadded convolution has col_n = x_n and
// skips im2col.
#include "engine/cpu/im2col_conv.h"

#include <omp.h>

#include <cstring>

#include "engine/cpu/conv_lowering.h"
#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/scratch.h"

namespace idml::cpu::im2col_conv {

namespace {

using namespace conv_lowering;

template <typename T>
void gemm_rowmajor(Backend& b, Transpose transpose, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda,
                   const T* bm, int64_t ldb, T beta, T* c, int64_t ldc) {
  b.gemm(dtype_of<T>(), transpose, m, n, k, 1.0, a, lda, bm, ldb, beta, c, ldc);
}

// Elements of one sample's column matrix (C*KH*KW, OH*OW); none for a pointwise convolution.
int64_t column_size(const Conv2dGeometry& g) {
  if (is_pointwise(g)) return 0;
  return g.in_channels * g.kernel_height * g.kernel_width * g.out_height * g.out_width;
}

// Runs body(sample, col_buffer, lowering_threads) for every sample, either one
// sample per thread (its lowering serial) or all samples in order with the
// lowering on the whole team.
template <typename T, typename Body>
void for_each_sample(Backend& be, const Conv2dGeometry& g, Body body) {
  const int64_t col_size = column_size(g);
  const int threads = omp_get_max_threads();
  if (g.batch >= threads && threads > 1) {
    Scratch<T> cols(be, col_size * threads);
#pragma omp parallel
    {
      T* col = cols.data() ? cols.data() + col_size * omp_get_thread_num() : nullptr;
#pragma omp for schedule(static)
      for (int64_t n = 0; n < g.batch; ++n) body(n, col, LoweringThreads::serial);
    }
  } else {
    Scratch<T> col(be, col_size);
    for (int64_t n = 0; n < g.batch; ++n) body(n, col.data(), LoweringThreads::team);
  }
}

template <typename T>
void conv_forward(Backend& be, const Conv2dGeometry& g, const T* x, const T* w, const T* bias, T* y) {
  const int64_t k = g.in_channels * g.kernel_height * g.kernel_width;
  const int64_t ohw = g.out_height * g.out_width;
  const int64_t in_size = g.in_channels * g.in_height * g.in_width;
  const bool pointwise = is_pointwise(g);
  for_each_sample<T>(be, g, [&](int64_t n, T* col, LoweringThreads threads) {
    const T* x_n = x + n * in_size;
    T* y_n = y + n * g.out_channels * ohw;
    const T* columns = x_n;
    if (!pointwise) {
      im2col(g, x_n, col, ohw, threads);
      columns = col;
    }
    gemm_rowmajor<T>(be, Transpose::none, g.out_channels, ohw, k, w, k, columns, ohw, T(0), y_n, ohw);
    if (bias)
      for (int64_t oc = 0; oc < g.out_channels; ++oc)
        for (int64_t i = 0; i < ohw; ++i) y_n[oc * ohw + i] += bias[oc];
  });
}

template <typename T>
void conv_backward_input(Backend& be, const Conv2dGeometry& g, const T* dy, const T* w, T* dx) {
  const int64_t k = g.in_channels * g.kernel_height * g.kernel_width;
  const int64_t ohw = g.out_height * g.out_width;
  const int64_t in_size = g.in_channels * g.in_height * g.in_width;
  const bool pointwise = is_pointwise(g);
  for_each_sample<T>(be, g, [&](int64_t n, T* col, LoweringThreads threads) {
    const T* dy_n = dy + n * g.out_channels * ohw;
    T* dx_n = dx + n * in_size;
    if (pointwise) {
      gemm_rowmajor<T>(be, Transpose::first, k, ohw, g.out_channels, w, k, dy_n, ohw, T(0), dx_n, ohw);
    } else {
      gemm_rowmajor<T>(be, Transpose::first, k, ohw, g.out_channels, w, k, dy_n, ohw, T(0), col, ohw);
      col2im(g, col, ohw, dx_n, threads);
    }
  });
}

template <typename T>
void conv_backward_weight(Backend& be, const Conv2dGeometry& g, const T* x, const T* dy, T* dw) {
  const int64_t k = g.in_channels * g.kernel_height * g.kernel_width;
  const int64_t ohw = g.out_height * g.out_width;
  const int64_t in_size = g.in_channels * g.in_height * g.in_width;
  const int64_t w_size = g.out_channels * k;
  const bool pointwise = is_pointwise(g);
  const int threads = omp_get_max_threads();
  // One partial dW per thread when threads take whole samples; summed in thread order.
  const bool per_thread = g.batch >= threads && threads > 1;
  Scratch<T> partials(be, per_thread ? threads * w_size : 0);
  if (per_thread) std::memset(partials.data(), 0, sizeof(T) * threads * w_size);
  std::memset(dw, 0, sizeof(T) * w_size);
  for_each_sample<T>(be, g, [&](int64_t n, T* col, LoweringThreads threads) {
    const T* x_n = x + n * in_size;
    const T* dy_n = dy + n * g.out_channels * ohw;
    const T* columns = x_n;
    if (!pointwise) {
      im2col(g, x_n, col, ohw, threads);
      columns = col;
    }
    T* target = per_thread ? partials.data() + static_cast<size_t>(omp_get_thread_num()) * w_size : dw;
    gemm_rowmajor<T>(be, Transpose::second, g.out_channels, k, ohw, dy_n, ohw, columns, ohw, T(1), target, k);
  });
  if (per_thread)
    for (int t = 0; t < threads; ++t) {
      const T* p = partials.data() + static_cast<size_t>(t) * w_size;
#pragma omp parallel for if (w_size > kParallelGrain)
      for (int64_t i = 0; i < w_size; ++i) dw[i] += p[i];
    }
}

// ---- grouped lowering for small feature maps ----

constexpr int64_t kWideColumns = 1024;

// Samples per GEMM: 1 for large maps, else enough for ~2 * kWideColumns columns.
int64_t group_size(const Conv2dGeometry& g) {
  const int64_t ohw = g.out_height * g.out_width;
  if (ohw >= kWideColumns) return 1;
  return std::min<int64_t>(g.batch, (2 * kWideColumns + ohw - 1) / ohw);
}


// col (K, gs*OH*OW) for samples n0 .. n0+gs-1 of x.
template <typename T>
void lower_group(const Conv2dGeometry& g, const T* x, int64_t n0, int64_t gs, T* col) {
  const int64_t ohw = g.out_height * g.out_width;
  const int64_t in_plane = g.in_height * g.in_width;
  if (is_pointwise(g)) {
    gather_samples(x, n0, gs, g.in_channels, in_plane, col);
    return;
  }
  for (int64_t j = 0; j < gs; ++j)
    im2col(g, x + (n0 + j) * g.in_channels * in_plane, col + j * ohw, gs * ohw, LoweringThreads::team);
}

template <typename T>
void conv_forward_grouped(Backend& be, const Conv2dGeometry& g, int64_t group, const T* x, const T* w,
                          const T* bias, T* y) {
  const int64_t k = g.in_channels * g.kernel_height * g.kernel_width;
  const int64_t ohw = g.out_height * g.out_width;
  Scratch<T> col(be, k * group * ohw), out(be, g.out_channels * group * ohw);
  for (int64_t n0 = 0; n0 < g.batch; n0 += group) {
    const int64_t gs = std::min(group, g.batch - n0), cols = gs * ohw;
    lower_group(g, x, n0, gs, col.data());
    gemm_rowmajor<T>(be, Transpose::none, g.out_channels, cols, k, w, k, col.data(), cols, T(0), out.data(), cols);
    scatter_samples(out.data(), n0, gs, g.out_channels, ohw, bias, y);
  }
}

template <typename T>
void conv_backward_input_grouped(Backend& be, const Conv2dGeometry& g, int64_t group, const T* dy, const T* w,
                                 T* dx) {
  const int64_t k = g.in_channels * g.kernel_height * g.kernel_width;
  const int64_t ohw = g.out_height * g.out_width;
  const int64_t in_size = g.in_channels * g.in_height * g.in_width;
  Scratch<T> dy_group(be, g.out_channels * group * ohw), col(be, k * group * ohw);
  for (int64_t n0 = 0; n0 < g.batch; n0 += group) {
    const int64_t gs = std::min(group, g.batch - n0), cols = gs * ohw;
    gather_samples(dy, n0, gs, g.out_channels, ohw, dy_group.data());
    gemm_rowmajor<T>(be, Transpose::first, k, cols, g.out_channels, w, k, dy_group.data(), cols, T(0), col.data(),
                     cols);
    if (is_pointwise(g)) {
      scatter_samples<T>(col.data(), n0, gs, g.in_channels, ohw, nullptr, dx);
    } else {
      for (int64_t j = 0; j < gs; ++j)
        col2im(g, col.data() + j * ohw, cols, dx + (n0 + j) * in_size, LoweringThreads::team);
    }
  }
}

template <typename T>
void conv_backward_weight_grouped(Backend& be, const Conv2dGeometry& g, int64_t group, const T* x, const T* dy,
                                  T* dw) {
  const int64_t k = g.in_channels * g.kernel_height * g.kernel_width;
  const int64_t ohw = g.out_height * g.out_width;
  Scratch<T> dy_group(be, g.out_channels * group * ohw), col(be, k * group * ohw);
  for (int64_t n0 = 0; n0 < g.batch; n0 += group) {
    const int64_t gs = std::min(group, g.batch - n0), cols = gs * ohw;
    gather_samples(dy, n0, gs, g.out_channels, ohw, dy_group.data());
    lower_group(g, x, n0, gs, col.data());
    gemm_rowmajor<T>(be, Transpose::second, g.out_channels, k, cols, dy_group.data(), cols, col.data(), cols,
                     n0 == 0 ? T(0) : T(1), dw, k);
  }
}

// y = relu?(y + residual), after the GEMM and its bias.
template <typename T>
void apply_epilogue(const Conv2dGeometry& g, const ConvEpilogue& e, T* y) {
  const int64_t n = g.batch * g.out_channels * g.out_height * g.out_width;
  const T* r = static_cast<const T*>(e.residual);
  if (!r && !e.relu) return;
#pragma omp parallel for if (n > kParallelGrain)
  for (int64_t i = 0; i < n; ++i) {
    const T v = r ? y[i] + r[i] : y[i];
    y[i] = e.relu && !(v > T(0)) ? T(0) : v;
  }
}

// db[c] = sum of dy over n, oh, ow (summed in double, one channel per thread).
template <typename T>
void bias_gradient(const Conv2dGeometry& g, const T* dy, T* db) {
  const int64_t ohw = g.out_height * g.out_width;
#pragma omp parallel for if (g.batch * g.out_channels * ohw > kParallelGrain)
  for (int64_t c = 0; c < g.out_channels; ++c) {
    double s = 0;
    for (int64_t n = 0; n < g.batch; ++n) {
      const T* row = dy + (n * g.out_channels + c) * ohw;
      for (int64_t i = 0; i < ohw; ++i) s += row[i];
    }
    db[c] = static_cast<T>(s);
  }
}

}  // namespace

void forward(Backend& be, DType dtype, const Conv2dGeometry& g, const void* x, const void* w, const void* bias,
             const ConvEpilogue& epilogue, void* y) {
  dispatch_float(dtype, "conv2d", [&](auto zero) {
    using T = decltype(zero);
    const int64_t group = group_size(g);
    if (group > 1)
      conv_forward_grouped<T>(be, g, group, static_cast<const T*>(x), static_cast<const T*>(w),
                              static_cast<const T*>(bias), static_cast<T*>(y));
    else
      conv_forward<T>(be, g, static_cast<const T*>(x), static_cast<const T*>(w), static_cast<const T*>(bias),
                      static_cast<T*>(y));
    apply_epilogue(g, epilogue, static_cast<T*>(y));
  });
}

void backward_input(Backend& be, DType dtype, const Conv2dGeometry& g, const void* dy, const void* w, void* dx) {
  dispatch_float(dtype, "conv2d backward", [&](auto zero) {
    using T = decltype(zero);
    const int64_t group = group_size(g);
    if (group > 1)
      conv_backward_input_grouped<T>(be, g, group, static_cast<const T*>(dy), static_cast<const T*>(w),
                                     static_cast<T*>(dx));
    else
      conv_backward_input<T>(be, g, static_cast<const T*>(dy), static_cast<const T*>(w), static_cast<T*>(dx));
  });
}

void backward_weight(Backend& be, DType dtype, const Conv2dGeometry& g, const void* x, const void* dy, void* dw,
                     void* db) {
  dispatch_float(dtype, "conv2d backward", [&](auto zero) {
    using T = decltype(zero);
    const int64_t group = group_size(g);
    if (group > 1)
      conv_backward_weight_grouped<T>(be, g, group, static_cast<const T*>(x), static_cast<const T*>(dy),
                                      static_cast<T*>(dw));
    else
      conv_backward_weight<T>(be, g, static_cast<const T*>(x), static_cast<const T*>(dy), static_cast<T*>(dw));
    if (db) bias_gradient(g, static_cast<const T*>(dy), static_cast<T*>(db));
  });
}

}  // namespace idml::cpu::im2col_conv
