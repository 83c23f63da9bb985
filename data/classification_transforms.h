// The image pipelines of the classification task (docs/METHOD.md#10-classification), as the authors'
// CutMix-PyTorch code composes them:
//   CIFAR train:    RandomCrop(size, padding, zero fill) - RandomHorizontalFlip - ToTensor - Normalize
//   ImageNet train: RandomResizedCrop(224) - flip - ToTensor - ColorJitter(0.4, 0.4, 0.4) - Lighting(0.1) - Normalize
//   eval:           ToTensor - Normalize (CIFAR), or Resize(256) - CenterCrop(224) (ImageNet: data/transforms.h)
// ColorJitter and Lighting are theirs (fb.resnet.torch's), on float RGB in [0, 1], no clamping:
//   brightness: img.lerp(0, a); contrast: img.lerp(mean grey, a); saturation: img.lerp(grey, a),
//   a ~ U(-0.4, 0.4) each, the three in a random order; grey = 0.299 R + 0.587 G + 0.114 B
//   lighting: img += eigvec (alpha * eigval), alpha ~ N(0, 0.1)^3 (AlexNet's PCA of ImageNet)
#pragma once

#include <array>

#include "data/transforms.h"

namespace idml::data {

class RandomCropTransform : public Transform {
 public:
  RandomCropTransform(int size, int padding, std::array<float, 3> mean, std::array<float, 3> std);
  void apply(const Image& image, SampleRandom& random, float* out) const override;
  int output_size() const override { return size_; }
  Image augment(const Image& image, SampleRandom& random) const;  // crop and flip, 8-bit

 private:
  int size_, padding_;
  std::array<float, 3> mean_, std_;
};

// ToTensor - Normalize of an image that already has the output size.
class NormalizeTransform : public Transform {
 public:
  NormalizeTransform(int size, std::array<float, 3> mean, std::array<float, 3> std);
  void apply(const Image& image, SampleRandom& random, float* out) const override;
  int output_size() const override { return size_; }

 private:
  int size_;
  std::array<float, 3> mean_, std_;
};

class ImageNetTrainTransform : public Transform {
 public:
  explicit ImageNetTrainTransform(TransformOptions options = {}, double jitter = 0.4, double lighting_std = 0.1);
  void apply(const Image& image, SampleRandom& random, float* out) const override;
  int output_size() const override { return crop_.output_size(); }

 private:
  TrainTransform crop_;  // RandomResizedCrop and flip
  TransformOptions options_;
  double jitter_, lighting_std_;
};

// The float steps on CHW RGB in [0, 1] (plane = H W), for tests.
void color_jitter(float* chw, size_t plane, double jitter, SampleRandom& random);
void pca_lighting(float* chw, size_t plane, double alpha_std, SampleRandom& random);

}  // namespace idml::data
