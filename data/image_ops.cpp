// Crop and flip on 8-bit RGB; see image_ops.h.
#include "data/image_ops.h"

#include <algorithm>
#include <cstring>

#include "engine/error.h"

namespace idml::data {

Image crop(const Image& in, const CropBox& box) {
  IDML_CHECK(box.height > 0 && box.width > 0, "crop: empty box ", box.height, "x", box.width);
  Image out(box.height, box.width);  // zero-filled
  const int x0 = std::max(box.left, 0), x1 = std::min(box.left + box.width, in.width);
  if (x1 <= x0) return out;
  for (int y = 0; y < box.height; ++y) {
    const int sy = box.top + y;
    if (sy < 0 || sy >= in.height) continue;
    std::memcpy(out.row(y) + static_cast<size_t>(x0 - box.left) * 3, in.row(sy) + static_cast<size_t>(x0) * 3,
                static_cast<size_t>(x1 - x0) * 3);
  }
  return out;
}

Image horizontal_flip(const Image& in) {
  Image out(in.height, in.width);
  for (int y = 0; y < in.height; ++y) {
    const uint8_t* src = in.row(y);
    uint8_t* dst = out.row(y);
    for (int x = 0; x < in.width; ++x) {
      const uint8_t* p = src + static_cast<size_t>(in.width - 1 - x) * 3;
      dst[3 * x + 0] = p[0];
      dst[3 * x + 1] = p[1];
      dst[3 * x + 2] = p[2];
    }
  }
  return out;
}

}  // namespace idml::data
