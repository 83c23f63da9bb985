// Pillow's ImagingResample for 8-bit RGB with the bilinear filter (Pillow 9.x,
// libImaging/Resample.c). Kept in the same shape as the C original so the two
// can be compared line by line: precompute_coeffs, normalize_coeffs_8bpc,
// ImagingResampleHorizontal_8bpc / Vertical_8bpc and ImagingResampleInner.
#include "data/pil_resample.h"

#include <algorithm>
#include <cmath>

#include "engine/error.h"

namespace idml::data {
namespace {

// 32 - 8 (pixel bits) - 2 (headroom for negative lobes of other filters).
constexpr int kPrecisionBits = 32 - 8 - 2;

double triangle(double x) {
  if (x < 0.0) x = -x;
  return x < 1.0 ? 1.0 - x : 0.0;
}

uint8_t clip8(int32_t accumulated) {
  const int32_t v = accumulated >> kPrecisionBits;
  return static_cast<uint8_t>(std::clamp(v, 0, 255));
}

}  // namespace

ResampleCoefficients bilinear_coefficients(int in_size, double in_begin, double in_end,
                                           int out_size) {
  IDML_CHECK(in_size > 0 && out_size > 0, "resize: sizes must be positive (in ", in_size,
             ", out ", out_size, ")");
  constexpr double filter_support = 1.0;  // triangle filter
  // scale = input pixels per output pixel; when downscaling the filter is
  // stretched by it (antialiasing), when upscaling it stays 1 wide.
  const double scale = (in_end - in_begin) / out_size;
  const double filter_scale = std::max(scale, 1.0);
  const double support = filter_support * filter_scale;
  ResampleCoefficients c;
  c.kernel_size = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.first.resize(out_size);
  c.count.resize(out_size);
  c.weights.assign(static_cast<size_t>(out_size) * c.kernel_size, 0);
  std::vector<double> k(c.kernel_size);
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = in_begin + (xx + 0.5) * scale;
    const double inverse_scale = 1.0 / filter_scale;
    // (int)(v + 0.5): PIL's rounding, truncation toward zero of v + 0.5.
    int xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    double total = 0.0;
    for (int x = 0; x < xmax; ++x) {
      const double w = triangle((x + xmin - center + 0.5) * inverse_scale);
      k[x] = w;
      total += w;
    }
    for (int x = 0; x < xmax; ++x) {
      if (total != 0.0) k[x] /= total;
    }
    // normalize_coeffs_8bpc: round half away from zero to fixed point.
    for (int x = 0; x < xmax; ++x) {
      const double v = k[x] * (1 << kPrecisionBits);
      c.weights[static_cast<size_t>(xx) * c.kernel_size + x] =
          static_cast<int32_t>(v < 0 ? -0.5 + v : 0.5 + v);
    }
    c.first[xx] = xmin;
    c.count[xx] = xmax;
  }
  return c;
}

namespace {

// ImagingResampleHorizontal_8bpc: rows [row_offset, row_offset + out.height) of `in`.
void resample_horizontal(const Image& in, Image& out, int row_offset,
                         const ResampleCoefficients& c) {
  for (int yy = 0; yy < out.height; ++yy) {
    const uint8_t* src = in.row(yy + row_offset);
    uint8_t* dst = out.row(yy);
    for (int xx = 0; xx < out.width; ++xx) {
      const int32_t* k = &c.weights[static_cast<size_t>(xx) * c.kernel_size];
      const uint8_t* p = src + static_cast<size_t>(c.first[xx]) * 3;
      int32_t s0 = 1 << (kPrecisionBits - 1), s1 = s0, s2 = s0;
      for (int x = 0; x < c.count[xx]; ++x) {
        s0 += p[3 * x + 0] * k[x];
        s1 += p[3 * x + 1] * k[x];
        s2 += p[3 * x + 2] * k[x];
      }
      dst[3 * xx + 0] = clip8(s0);
      dst[3 * xx + 1] = clip8(s1);
      dst[3 * xx + 2] = clip8(s2);
    }
  }
}

// ImagingResampleVertical_8bpc; `first` already shifted to `in`'s rows.
void resample_vertical(const Image& in, Image& out, const ResampleCoefficients& c,
                       int row_shift) {
  const size_t row_len = static_cast<size_t>(in.width) * 3;
  std::vector<int32_t> acc(row_len);
  for (int yy = 0; yy < out.height; ++yy) {
    const int32_t* k = &c.weights[static_cast<size_t>(yy) * c.kernel_size];
    const int ymin = c.first[yy] - row_shift;
    std::fill(acc.begin(), acc.end(), 1 << (kPrecisionBits - 1));
    // Row-by-row accumulation: same integer sums as PIL's per-pixel loop
    // (integer addition is exact), laid out for the vectoriser.
    for (int y = 0; y < c.count[yy]; ++y) {
      const uint8_t* src = in.row(ymin + y);
      const int32_t w = k[y];
      for (size_t i = 0; i < row_len; ++i) acc[i] += src[i] * w;
    }
    uint8_t* dst = out.row(yy);
    for (size_t i = 0; i < row_len; ++i) dst[i] = clip8(acc[i]);
  }
}

}  // namespace

Image resize_bilinear_pil(const Image& in, int out_width, int out_height) {
  IDML_CHECK(!in.empty() && out_width > 0 && out_height > 0, "resize: cannot resize a ",
             in.height, "x", in.width, " image to ", out_height, "x", out_width);
  const bool need_horizontal = out_width != in.width;
  const bool need_vertical = out_height != in.height;
  if (!need_horizontal && !need_vertical) return in;
  const ResampleCoefficients horizontal = bilinear_coefficients(in.width, 0, in.width, out_width);
  const ResampleCoefficients vertical = bilinear_coefficients(in.height, 0, in.height, out_height);
  // Only the source rows the vertical pass reads go through the horizontal pass.
  const int first_row = vertical.first[0];
  const int last_row = vertical.first[out_height - 1] + vertical.count[out_height - 1];
  if (!need_horizontal) {
    Image out(out_height, out_width);
    resample_vertical(in, out, vertical, 0);
    return out;
  }
  Image temp(last_row - first_row, out_width);
  resample_horizontal(in, temp, first_row, horizontal);
  if (!need_vertical) return temp;
  Image out(out_height, out_width);
  resample_vertical(temp, out, vertical, first_row);
  return out;
}

}  // namespace idml::data
