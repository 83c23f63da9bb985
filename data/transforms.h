// The two image pipelines of docs/METHOD.md#7-data, with torchvision 0.14 semantics on PIL
// images (8-bit work first, float last):
//   train: RandomResizedCrop(size) -> RandomHorizontalFlip(0.5) -> ToTensor -> Normalize
//   eval:  Resize(resize_size) -> CenterCrop(size) -> ToTensor -> Normalize
// Output is float32 CHW (3, size, size). Randomness comes from the sample's own
// SampleRandom, so a sample's augmentation is fixed by (seed, epoch, index).
#pragma once

#include <array>
#include <memory>

#include "data/crop_geometry.h"
#include "data/image.h"
#include "data/sample_random.h"

namespace idml::data {

struct TransformOptions {
  int image_size = 224;   // side of the square output
  int resize_size = 256;  // eval: shorter side before the centre crop
  RandomResizedCropParams crop;
  double flip_probability = 0.5;
  std::array<float, 3> mean{0.485f, 0.456f, 0.406f};
  std::array<float, 3> std{0.229f, 0.224f, 0.225f};
};

class Transform {
 public:
  virtual ~Transform() = default;
  // Writes 3 * output_size()^2 floats (CHW) to `out`.
  virtual void apply(const Image& image, SampleRandom& random, float* out) const = 0;
  virtual int output_size() const = 0;
};

class TrainTransform : public Transform {
 public:
  explicit TrainTransform(TransformOptions options = {});
  void apply(const Image& image, SampleRandom& random, float* out) const override;
  int output_size() const override { return options_.image_size; }
  // The 8-bit image before ToTensor (for tests and benchmarks).
  Image augment(const Image& image, SampleRandom& random) const;

 private:
  TransformOptions options_;
};

class EvalTransform : public Transform {
 public:
  explicit EvalTransform(TransformOptions options = {});
  void apply(const Image& image, SampleRandom& random, float* out) const override;
  int output_size() const override { return options_.image_size; }
  Image resize_and_crop(const Image& image) const;

 private:
  TransformOptions options_;
};

// CropDraws from a sample's stream: uniform(lo, hi) = float32(lo + (hi - lo) u).
class SampleCropDraws : public CropDraws {
 public:
  explicit SampleCropDraws(SampleRandom& random) : random_(random) {}
  float uniform(float low, float high) override;
  int64_t randint(int64_t n) override;

 private:
  SampleRandom& random_;
};

// ToTensor + Normalize: (x / 255 - mean) / std in float32, HWC uint8 -> CHW float.
void to_normalized_chw(const Image& image, const std::array<float, 3>& mean,
                       const std::array<float, 3>& std, float* out);

// RandomResizedCrop's pixel work for a given box: crop, then PIL bilinear to size x size.
Image resized_crop(const Image& image, const CropBox& box, int size);

}  // namespace idml::data
