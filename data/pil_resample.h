// PIL's bilinear resize (Pillow's ImagingResample, Resample.c) on 8-bit RGB,
// reproduced operation for operation so results equal Pillow's bit for bit.
// It is what torchvision's Resize and RandomResizedCrop do on PIL images: an
// antialiased (support widened by the downscale factor) separable triangle
// filter, horizontal pass then vertical pass, each rounded to 8 bits with
// 22-bit fixed-point coefficients.
#pragma once

#include <cstdint>
#include <vector>

#include "data/image.h"

namespace idml::data {

// Resampling coefficients of one axis, as Pillow's precompute_coeffs: for output
// pixel i, inputs [first[i], first[i] + count[i]) with fixed-point weights
// weights[i * kernel_size + k] (sum ~ 2^22).
struct ResampleCoefficients {
  int kernel_size = 0;
  std::vector<int> first;
  std::vector<int> count;
  std::vector<int32_t> weights;
};

// Axis of `in_size` pixels, source interval [in_begin, in_end) mapped onto `out_size`
// pixels with PIL's bilinear filter.
ResampleCoefficients bilinear_coefficients(int in_size, double in_begin, double in_end,
                                           int out_size);

// Image.resize((out_width, out_height), Image.BILINEAR) of Pillow.
Image resize_bilinear_pil(const Image& in, int out_width, int out_height);

}  // namespace idml::data
