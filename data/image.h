// An 8-bit RGB image in host memory, row-major HWC (height, width, 3). This is
// the unit the decoder produces and the 8-bit transforms (crop, resize, flip)
// consume; only the last step turns it into normalised float CHW.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace idml::data {

struct Image {
  int height = 0;
  int width = 0;
  std::vector<uint8_t> pixels;  // height * width * 3, RGB, row-major

  static constexpr int channels = 3;

  Image() = default;
  Image(int height_, int width_) : height(height_), width(width_),
      pixels(static_cast<size_t>(height_) * width_ * channels, 0) {}

  uint8_t* row(int y) { return pixels.data() + static_cast<size_t>(y) * width * channels; }
  const uint8_t* row(int y) const { return pixels.data() + static_cast<size_t>(y) * width * channels; }
  bool empty() const { return height == 0 || width == 0; }
};

}  // namespace idml::data
