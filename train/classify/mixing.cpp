// CutMix and Mixup: the box geometry, Beta sampling and the mixed batch.
#include "train/classify/mixing.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/error.h"
#include "engine/ops.h"
#include "train/random_permutation.h"

namespace idml::train::classify {

MixKind parse_mix(const std::string& name) {
  if (name == "none") return MixKind::None;
  if (name == "mixup") return MixKind::Mixup;
  IDML_CHECK(name == "cutmix", "--mix: expected none, mixup or cutmix, got '", name, "'");
  return MixKind::CutMix;
}

const char* mix_name(MixKind kind) {
  return kind == MixKind::None ? "none" : kind == MixKind::Mixup ? "mixup" : "cutmix";
}

double sample_gamma(double shape, Generator& gen) {
  IDML_CHECK(shape > 0, "Gamma: the shape must be positive, got ", shape);
  // shape < 1: Gamma(a) = Gamma(a + 1) U^(1/a).
  if (shape < 1) return sample_gamma(shape + 1, gen) * std::pow(1.0 - gen.uniform(), 1.0 / shape);
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  while (true) {
    double x, v;
    do {
      x = gen.normal();
      v = 1.0 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = 1.0 - gen.uniform();  // (0, 1]
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
  }
}

double sample_beta(double a, double b, Generator& gen) {
  if (a == 1.0 && b == 1.0) return gen.uniform();  // Beta(1, 1) = U(0, 1), the recipes' beta
  const double x = sample_gamma(a, gen), y = sample_gamma(b, gen);
  return x / (x + y);
}

CutMixBox cutmix_box(int64_t height, int64_t width, double lam, int64_t centre_row, int64_t centre_col) {
  const double ratio = std::sqrt(1.0 - lam);
  const int64_t cut_rows = static_cast<int64_t>(static_cast<double>(height) * ratio);  // int() truncates
  const int64_t cut_cols = static_cast<int64_t>(static_cast<double>(width) * ratio);
  CutMixBox box;
  box.row0 = std::clamp<int64_t>(centre_row - cut_rows / 2, 0, height);
  box.col0 = std::clamp<int64_t>(centre_col - cut_cols / 2, 0, width);
  box.row1 = std::clamp<int64_t>(centre_row + cut_rows / 2, 0, height);
  box.col1 = std::clamp<int64_t>(centre_col + cut_cols / 2, 0, width);
  return box;
}

CutMixBox draw_cutmix_box(int64_t height, int64_t width, double lam, Generator& gen) {
  const auto row = static_cast<int64_t>(gen.below(static_cast<uint64_t>(height)));
  const auto col = static_cast<int64_t>(gen.below(static_cast<uint64_t>(width)));
  return cutmix_box(height, width, lam, row, col);
}

double box_lambda(const CutMixBox& box, int64_t height, int64_t width) {
  return 1.0 - static_cast<double>(box.area()) / static_cast<double>(height * width);
}

Tensor paste_box(const Tensor& images, const Tensor& partners, const CutMixBox& box) {
  IDML_CHECK(images.dim() == 4 && images.shape() == partners.shape(),
             "paste_box: images and partners must be the same (N, C, H, W), got ", images.str(), " and ",
             partners.str());
  const int64_t h = images.size(2), w = images.size(3);
  std::vector<float> mask(static_cast<size_t>(h * w), 0.0f);
  for (int64_t r = box.row0; r < box.row1; ++r)
    for (int64_t c = box.col0; c < box.col1; ++c) mask[static_cast<size_t>(r * w + c)] = 1.0f;
  const Tensor inside = from_vector(mask, {1, 1, h, w}, images.device()).to(images.dtype());
  return where(inside, partners, images);
}

Tensor mixup_images(const Tensor& images, const Tensor& partners, double lam) {
  return add(mul_scalar(images, lam), mul_scalar(partners, 1.0 - lam));
}

MixedBatch mix_batch(const Tensor& images, const Tensor& labels, const MixOptions& options, Generator& gen) {
  MixedBatch out;
  out.images = images;
  if (options.kind == MixKind::None || options.beta <= 0) return out;
  // CutMix-PyTorch: r = rand(); if beta > 0 and r < cutmix_prob: mix.
  if (options.kind == MixKind::CutMix && !(gen.uniform() < options.cutmix_prob)) return out;
  double lam = sample_beta(options.beta, options.beta, gen);
  const int64_t n = images.size(0);
  const Tensor perm = from_vector(random_permutation(n, gen), {n}, images.device());
  const Tensor partners = index_select(images, perm);
  out.labels_b = index_select(labels, perm);
  out.mixed = true;
  if (options.kind == MixKind::Mixup) {
    out.images = mixup_images(images, partners, lam);
  } else {
    out.box = draw_cutmix_box(images.size(2), images.size(3), lam, gen);
    out.images = paste_box(images, partners, out.box);
    lam = box_lambda(out.box, images.size(2), images.size(3));
  }
  out.lam = lam;
  return out;
}

}  // namespace idml::train::classify
