// CutMix and Mixup as docs/METHOD.md#10-classification and the authors' CutMix-PyTorch code do them:
//   lam ~ Beta(beta, beta), perm = a random permutation of the batch
//   Mixup:  x2 = lam x + (1 - lam) x[perm]
//   CutMix: (with probability cutmix_prob, else no mixing) a box of side ratio
//           sqrt(1 - lam): cut = int(side sqrt(1 - lam)), centre uniform over the
//           image, corners centre -/+ cut // 2 clipped to the image; x[perm]'s
//           box is pasted into x, and lam is reset to 1 - box area / image area.
//   loss = lam CE(z', y) + (1 - lam) CE(z', y[perm])
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/generator.h"
#include "engine/tensor.h"

namespace idml::train::classify {

enum class MixKind { None, Mixup, CutMix };
MixKind parse_mix(const std::string& name);  // none | mixup | cutmix, else an error naming --mix
const char* mix_name(MixKind kind);

// Gamma(shape, 1) by Marsaglia and Tsang; Beta(a, b) = X / (X + Y).
double sample_gamma(double shape, Generator& gen);
double sample_beta(double a, double b, Generator& gen);

// Rows [row0, row1) and columns [col0, col1) of the pasted region.
struct CutMixBox {
  int64_t row0 = 0, col0 = 0, row1 = 0, col1 = 0;
  int64_t area() const { return (row1 - row0) * (col1 - col0); }
};

// The box for a given centre (the reference's rand_bbox, with `W` = rows, `H` = columns).
CutMixBox cutmix_box(int64_t height, int64_t width, double lam, int64_t centre_row, int64_t centre_col);
// Draws the centre uniformly (row first, as rand_bbox draws cx then cy).
CutMixBox draw_cutmix_box(int64_t height, int64_t width, double lam, Generator& gen);
// 1 - box area / image area.
double box_lambda(const CutMixBox& box, int64_t height, int64_t width);

// images (N, C, H, W); partners = images[perm]. Not differentiable in the box.
Tensor paste_box(const Tensor& images, const Tensor& partners, const CutMixBox& box);
Tensor mixup_images(const Tensor& images, const Tensor& partners, double lam);

struct MixOptions {
  MixKind kind = MixKind::None;
  double beta = 1.0;
  double cutmix_prob = 0.5;
};

// One step's mixing decision and the mixed batch.
struct MixedBatch {
  Tensor images;         // the network's input
  Tensor labels_b;       // y[perm]; undefined when not mixed
  double lam = 1.0;      // weight of CE(., y)
  bool mixed = false;
  CutMixBox box;         // CutMix only
};

// Draws, in order: the CutMix coin (CutMix only), lam, the permutation, the box centre.
MixedBatch mix_batch(const Tensor& images, const Tensor& labels, const MixOptions& options, Generator& gen);

}  // namespace idml::train::classify
