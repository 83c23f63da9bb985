// Where to crop: torchvision's parameter computations (v0.14) for
// RandomResizedCrop, Resize (shorter side) and CenterCrop, separated from the
// pixel work so tests can feed the exact numbers torchvision drew.
#pragma once

#include <cstdint>

namespace idml::data {

struct CropBox {
  int top = 0, left = 0, height = 0, width = 0;
  bool operator==(const CropBox& o) const {
    return top == o.top && left == o.left && height == o.height && width == o.width;
  }
};

// The random numbers RandomResizedCrop.get_params consumes, in its order:
// per try a scale draw and a log-ratio draw (float32 uniforms, as torch's
// torch.empty(1).uniform_(lo, hi)), and, for the accepted try, randint draws
// for the top then the left offset.
class CropDraws {
 public:
  virtual ~CropDraws() = default;
  virtual float uniform(float low, float high) = 0;  // in [low, high)
  virtual int64_t randint(int64_t n) = 0;            // in [0, n)
};

struct RandomResizedCropParams {
  double scale_min = 0.08, scale_max = 1.0;
  double ratio_min = 3.0 / 4.0, ratio_max = 4.0 / 3.0;
};

// RandomResizedCrop.get_params: 10 tries of area fraction ~ U(scale) and
// aspect ratio ~ exp(U(log ratio)), w = round(sqrt(area * r)),
// h = round(sqrt(area / r)); the first that fits is placed uniformly. Else the
// whole image, clamped to the ratio range, centred.
CropBox random_resized_crop_box(int height, int width, const RandomResizedCropParams& params,
                                CropDraws& draws);

// Resize(size) with an int size: the shorter side becomes `size`, the longer
// int(size * long / short) (truncated, as torchvision computes it).
void resized_shorter_side(int height, int width, int size, int& out_height, int& out_width);

// CenterCrop: top = int(round((H - h) / 2.0)) with Python's round (half to even);
// when the crop is larger than the image, torchvision pads with zeros
// ((crop - size) // 2 before) and the box starts at that negative offset.
CropBox center_crop_box(int height, int width, int crop_height, int crop_width);

}  // namespace idml::data
