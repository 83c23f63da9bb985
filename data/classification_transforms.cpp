// Classification pipelines; see classification_transforms.h.
#include "data/classification_transforms.h"

#include <algorithm>
#include <numeric>

#include "data/image_ops.h"
#include "engine/error.h"

namespace idml::data {

namespace {

// Lighting's PCA of ImageNet RGB (AlexNet; fb.resnet.torch and CutMix-PyTorch).
constexpr std::array<double, 3> kEigval{0.2175, 0.0188, 0.0045};
constexpr std::array<std::array<double, 3>, 3> kEigvec{{{-0.5675, 0.7192, 0.4009},
                                                        {-0.5808, -0.0045, -0.8140},
                                                        {-0.5836, -0.6948, 0.4203}}};

void normalize_in_place(float* chw, size_t plane, const std::array<float, 3>& mean, const std::array<float, 3>& std) {
  for (int c = 0; c < 3; ++c)
    for (size_t i = 0; i < plane; ++i) chw[c * plane + i] = (chw[c * plane + i] - mean[c]) / std[c];
}

// img.lerp(target, a) = img + a (target - img), per element.
void lerp_towards(float* chw, const std::vector<float>& target, double a) {
  for (size_t i = 0; i < target.size(); ++i) chw[i] = static_cast<float>(chw[i] + a * (target[i] - chw[i]));
}

std::vector<float> greyscale(const float* chw, size_t plane) {
  std::vector<float> grey(3 * plane);
  for (size_t i = 0; i < plane; ++i) {
    const float g = 0.299f * chw[i] + 0.587f * chw[plane + i] + 0.114f * chw[2 * plane + i];
    grey[i] = grey[plane + i] = grey[2 * plane + i] = g;
  }
  return grey;
}

}  // namespace

void color_jitter(float* chw, size_t plane, double jitter, SampleRandom& random) {
  std::array<int, 3> order{0, 1, 2};  // brightness, contrast, saturation, in a random order
  for (int i = 2; i > 0; --i) std::swap(order[i], order[random.below(static_cast<uint64_t>(i + 1))]);
  for (int step : order) {
    const double a = -jitter + 2 * jitter * random.uniform();
    std::vector<float> target;
    if (step == 0) {
      target.assign(3 * plane, 0.0f);
    } else {
      target = greyscale(chw, plane);
      if (step == 1) {
        const double mean = std::accumulate(target.begin(), target.end(), 0.0) / static_cast<double>(target.size());
        std::fill(target.begin(), target.end(), static_cast<float>(mean));
      }
    }
    lerp_towards(chw, target, a);
  }
}

void pca_lighting(float* chw, size_t plane, double alpha_std, SampleRandom& random) {
  if (alpha_std == 0) return;
  std::array<double, 3> alpha{};
  for (double& a : alpha) a = alpha_std * random.normal();
  for (int c = 0; c < 3; ++c) {
    double shift = 0;
    for (int k = 0; k < 3; ++k) shift += kEigvec[c][k] * alpha[k] * kEigval[k];
    for (size_t i = 0; i < plane; ++i) chw[c * plane + i] += static_cast<float>(shift);
  }
}

RandomCropTransform::RandomCropTransform(int size, int padding, std::array<float, 3> mean, std::array<float, 3> std)
    : size_(size), padding_(padding), mean_(mean), std_(std) {
  IDML_CHECK(size > 0 && padding >= 0, "RandomCrop: size must be positive and padding non-negative");
}

Image RandomCropTransform::augment(const Image& image, SampleRandom& random) const {
  const int padded_h = image.height + 2 * padding_, padded_w = image.width + 2 * padding_;
  IDML_CHECK(padded_h >= size_ && padded_w >= size_, "RandomCrop(", size_, ", padding ", padding_, "): image ",
             image.height, "x", image.width, " is too small");
  // torchvision: i = randint(0, h - size + 1), j = randint(0, w - size + 1) on the padded image.
  const int top = static_cast<int>(random.below(static_cast<uint64_t>(padded_h - size_ + 1)));
  const int left = static_cast<int>(random.below(static_cast<uint64_t>(padded_w - size_ + 1)));
  Image out(size_, size_);  // zero fill outside the image
  for (int y = 0; y < size_; ++y) {
    const int source_y = top + y - padding_;
    if (source_y < 0 || source_y >= image.height) continue;
    for (int x = 0; x < size_; ++x) {
      const int source_x = left + x - padding_;
      if (source_x < 0 || source_x >= image.width) continue;
      std::copy_n(image.row(source_y) + 3 * source_x, 3, out.row(y) + 3 * x);
    }
  }
  if (random.uniform() < 0.5) out = horizontal_flip(out);
  return out;
}

void RandomCropTransform::apply(const Image& image, SampleRandom& random, float* out) const {
  to_normalized_chw(augment(image, random), mean_, std_, out);
}

NormalizeTransform::NormalizeTransform(int size, std::array<float, 3> mean, std::array<float, 3> std)
    : size_(size), mean_(mean), std_(std) {}

void NormalizeTransform::apply(const Image& image, SampleRandom&, float* out) const {
  IDML_CHECK(image.height == size_ && image.width == size_, "expected ", size_, "x", size_, " images, got ",
             image.height, "x", image.width);
  to_normalized_chw(image, mean_, std_, out);
}

ImageNetTrainTransform::ImageNetTrainTransform(TransformOptions options, double jitter, double lighting_std)
    : crop_(options), options_(options), jitter_(jitter), lighting_std_(lighting_std) {}

void ImageNetTrainTransform::apply(const Image& image, SampleRandom& random, float* out) const {
  const Image cropped = crop_.augment(image, random);
  const size_t plane = static_cast<size_t>(cropped.height) * cropped.width;
  to_normalized_chw(cropped, {0, 0, 0}, {1, 1, 1}, out);  // ToTensor: [0, 1]
  color_jitter(out, plane, jitter_, random);
  pca_lighting(out, plane, lighting_std_, random);
  normalize_in_place(out, plane, options_.mean, options_.std);
}

}  // namespace idml::data
