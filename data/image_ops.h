// Exact 8-bit pixel operations: crop (PIL's Image.crop, zero outside the
// image) and horizontal flip. No resampling happens here.
#pragma once

#include "data/crop_geometry.h"
#include "data/image.h"

namespace idml::data {

// Pixels of `box`; positions outside the image are 0 (as PIL's crop and
// torchvision's pad-then-crop produce).
Image crop(const Image& in, const CropBox& box);

// Mirror left-right.
Image horizontal_flip(const Image& in);

}  // namespace idml::data
