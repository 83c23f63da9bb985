// CPU memory, fills, casts and plain copies.
#include "engine/cpu/cpu_backend.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace idml::cpu {

void* CpuBackend::allocate(size_t nbytes) { return allocator_.allocate(nbytes); }

void CpuBackend::deallocate(void* ptr, size_t nbytes) { allocator_.deallocate(ptr, nbytes); }

namespace {
void parallel_memcpy(void* dst, const void* src, size_t nbytes) {
  constexpr size_t kChunk = 1 << 20;
  if (nbytes < 4 * kChunk) {
    std::memcpy(dst, src, nbytes);
    return;
  }
  const int64_t chunks = static_cast<int64_t>((nbytes + kChunk - 1) / kChunk);
#pragma omp parallel for
  for (int64_t i = 0; i < chunks; ++i) {
    const size_t begin = static_cast<size_t>(i) * kChunk;
    std::memcpy(static_cast<char*>(dst) + begin, static_cast<const char*>(src) + begin,
                std::min(kChunk, nbytes - begin));
  }
}
}  // namespace

void CpuBackend::copy_from_host(void* dst, const void* src, size_t nbytes) { parallel_memcpy(dst, src, nbytes); }
void CpuBackend::copy_to_host(void* dst, const void* src, size_t nbytes) { parallel_memcpy(dst, src, nbytes); }
void CpuBackend::copy(void* dst, const void* src, size_t nbytes) { parallel_memcpy(dst, src, nbytes); }

void CpuBackend::fill(DType dtype, void* out, int64_t n, double value) {
  dispatch_any(dtype, [&](auto zero) {
    using T = decltype(zero);
    T* o = static_cast<T*>(out);
    const T v = static_cast<T>(value);
#pragma omp parallel for if (n > kParallelGrain)
    for (int64_t i = 0; i < n; ++i) o[i] = v;
  });
}

void CpuBackend::cast(DType from, DType to, const void* x, void* out, int64_t n) {
  dispatch_cast(from, to, [&](auto src_zero, auto dst_zero) {
    using S = decltype(src_zero);
    using D = decltype(dst_zero);
    const S* s = static_cast<const S*>(x);
    D* d = static_cast<D*>(out);
#pragma omp parallel for if (n > kParallelGrain)
    for (int64_t i = 0; i < n; ++i) d[i] = static_cast<D>(s[i]);
  });
}

void CpuBackend::copy_rows(DType dtype, const void* src, int64_t src_stride, void* dst, int64_t dst_stride,
                           int64_t rows, int64_t cols) {
  const size_t elem = dtype_size(dtype);
#pragma omp parallel for if (rows * cols > kParallelGrain)
  for (int64_t r = 0; r < rows; ++r)
    std::memcpy(static_cast<char*>(dst) + r * dst_stride * elem,
                static_cast<const char*>(src) + r * src_stride * elem, cols * elem);
}

void CpuBackend::transpose2d(DType dtype, const void* x, void* out, int64_t rows, int64_t cols) {
  dispatch_float(dtype, "transpose", [&](auto zero) {
    using T = decltype(zero);
    const T* in = static_cast<const T*>(x);
    T* o = static_cast<T*>(out);
    constexpr int64_t kTile = 32;  // cache-friendly tiles
#pragma omp parallel for collapse(2) if (rows * cols > kParallelGrain)
    for (int64_t r0 = 0; r0 < rows; r0 += kTile)
      for (int64_t c0 = 0; c0 < cols; c0 += kTile)
        for (int64_t r = r0; r < std::min(rows, r0 + kTile); ++r)
          for (int64_t c = c0; c < std::min(cols, c0 + kTile); ++c) o[c * rows + r] = in[r * cols + c];
  });
}

}  // namespace idml::cpu
