// torchvision 0.14's crop parameter computations; see crop_geometry.h.
#include "data/crop_geometry.h"

#include <algorithm>
#include <cmath>

#include "engine/error.h"

namespace idml::data {
namespace {

// Python's round() on a double: half to even (nearbyint in the default mode).
int python_round(double v) { return static_cast<int>(std::nearbyint(v)); }

}  // namespace

CropBox random_resized_crop_box(int height, int width, const RandomResizedCropParams& params,
                                CropDraws& draws) {
  IDML_CHECK(height > 0 && width > 0, "RandomResizedCrop: empty image");
  const double area = static_cast<double>(height) * width;
  // torch.log(torch.tensor(ratio)): float32 ratios, float32 logs.
  const float log_ratio_min = std::log(static_cast<float>(params.ratio_min));
  const float log_ratio_max = std::log(static_cast<float>(params.ratio_max));
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target_area =
        area * draws.uniform(static_cast<float>(params.scale_min), static_cast<float>(params.scale_max));
    const double aspect_ratio = std::exp(draws.uniform(log_ratio_min, log_ratio_max));  // float32 exp
    const int w = python_round(std::sqrt(target_area * aspect_ratio));
    const int h = python_round(std::sqrt(target_area / aspect_ratio));
    if (0 < w && w <= width && 0 < h && h <= height) {
      const int top = static_cast<int>(draws.randint(height - h + 1));
      const int left = static_cast<int>(draws.randint(width - w + 1));
      return {top, left, h, w};
    }
  }
  const double in_ratio = static_cast<double>(width) / height;
  const double ratio_low = std::min(params.ratio_min, params.ratio_max);
  const double ratio_high = std::max(params.ratio_min, params.ratio_max);
  int w = width, h = height;
  if (in_ratio < ratio_low) {
    h = python_round(w / ratio_low);
  } else if (in_ratio > ratio_high) {
    w = python_round(h * ratio_high);
  }
  // Python's // on non-negative ints.
  return {(height - h) / 2, (width - w) / 2, h, w};
}

void resized_shorter_side(int height, int width, int size, int& out_height, int& out_width) {
  IDML_CHECK(height > 0 && width > 0 && size > 0, "Resize: cannot resize a ", height, "x",
             width, " image to shorter side ", size);
  const int shorter = std::min(height, width), longer = std::max(height, width);
  const int new_long = static_cast<int>(static_cast<double>(size) * longer / shorter);
  if (width <= height) {
    out_width = size;
    out_height = new_long;
  } else {
    out_height = size;
    out_width = new_long;
  }
}

CropBox center_crop_box(int height, int width, int crop_height, int crop_width) {
  IDML_CHECK(crop_height > 0 && crop_width > 0, "CenterCrop: crop size must be positive");
  // A crop larger than the image pads first ((crop - size) // 2 before), then
  // crops at 0: the same as a negative offset into zero padding.
  auto start = [](int size, int crop) {
    return crop > size ? -((crop - size) / 2) : python_round((size - crop) / 2.0);
  };
  return {start(height, crop_height), start(width, crop_width), crop_height, crop_width};
}

}  // namespace idml::data
