// Train and eval pipelines; see transforms.h.
#include "data/transforms.h"

#include "data/image_ops.h"
#include "data/pil_resample.h"
#include "engine/error.h"

namespace idml::data {

float SampleCropDraws::uniform(float low, float high) {
  return static_cast<float>(low + (static_cast<double>(high) - low) * random_.uniform());
}

int64_t SampleCropDraws::randint(int64_t n) {
  return static_cast<int64_t>(random_.below(static_cast<uint64_t>(n)));
}

void to_normalized_chw(const Image& image, const std::array<float, 3>& mean,
                       const std::array<float, 3>& std, float* out) {
  const size_t plane = static_cast<size_t>(image.height) * image.width;
  const uint8_t* p = image.pixels.data();
  for (int c = 0; c < 3; ++c) {
    // torchvision: img.float().div(255) then sub_(mean).div_(std), all float32.
    float lut[256];
    for (int v = 0; v < 256; ++v) lut[v] = (static_cast<float>(v) / 255.0f - mean[c]) / std[c];
    float* dst = out + c * plane;
    for (size_t i = 0; i < plane; ++i) dst[i] = lut[p[3 * i + c]];
  }
}

Image resized_crop(const Image& image, const CropBox& box, int size) {
  return resize_bilinear_pil(crop(image, box), size, size);
}

TrainTransform::TrainTransform(TransformOptions options) : options_(options) {
  IDML_CHECK(options_.image_size > 0, "TrainTransform: image size must be positive");
}

Image TrainTransform::augment(const Image& image, SampleRandom& random) const {
  SampleCropDraws draws(random);
  const CropBox box = random_resized_crop_box(image.height, image.width, options_.crop, draws);
  Image out = resized_crop(image, box, options_.image_size);
  if (random.uniform() < options_.flip_probability) out = horizontal_flip(out);
  return out;
}

void TrainTransform::apply(const Image& image, SampleRandom& random, float* out) const {
  to_normalized_chw(augment(image, random), options_.mean, options_.std, out);
}

EvalTransform::EvalTransform(TransformOptions options) : options_(options) {
  IDML_CHECK(options_.image_size > 0 && options_.resize_size > 0,
             "EvalTransform: image and resize sizes must be positive");
}

Image EvalTransform::resize_and_crop(const Image& image) const {
  int height = 0, width = 0;
  resized_shorter_side(image.height, image.width, options_.resize_size, height, width);
  const Image resized = resize_bilinear_pil(image, width, height);
  return crop(resized, center_crop_box(height, width, options_.image_size, options_.image_size));
}

void EvalTransform::apply(const Image& image, SampleRandom& random, float* out) const {
  to_normalized_chw(resize_and_crop(image), options_.mean, options_.std, out);
}

}  // namespace idml::data
