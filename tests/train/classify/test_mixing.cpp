// CutMix and Mixup of docs/METHOD.md#10-classification: the box and lam against hand cases (at the
// image edges, with the reference's cut // 2 on both sides), the pasted pixels,
// the cutmix-prob coin, Mixup's blend, and the Beta sampler's moments.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/ops.h"
#include "train/classify/mixing.h"

namespace idml::train::classify {
namespace {

void expect_box(const CutMixBox& box, int64_t row0, int64_t row1, int64_t col0, int64_t col1) {
  EXPECT_EQ(box.row0, row0);
  EXPECT_EQ(box.row1, row1);
  EXPECT_EQ(box.col0, col0);
  EXPECT_EQ(box.col1, col1);
}

TEST(CutMixBox, CentredBoxKeepsLam) {
  // lam 0.75: side ratio 0.5, cut 16, box [8, 24)^2, area 256 of 1024.
  const CutMixBox box = cutmix_box(32, 32, 0.75, 16, 16);
  expect_box(box, 8, 24, 8, 24);
  EXPECT_DOUBLE_EQ(box_lambda(box, 32, 32), 0.75);
}

TEST(CutMixBox, TopLeftCornerIsClippedAndLamReset) {
  const CutMixBox box = cutmix_box(32, 32, 0.75, 0, 0);
  expect_box(box, 0, 8, 0, 8);
  EXPECT_DOUBLE_EQ(box_lambda(box, 32, 32), 1.0 - 64.0 / 1024.0);
}

TEST(CutMixBox, BottomRightCornerIsClippedAndLamReset) {
  const CutMixBox box = cutmix_box(32, 32, 0.75, 31, 31);
  expect_box(box, 23, 32, 23, 32);  // 31 + 8 = 39 clipped to 32
  EXPECT_DOUBLE_EQ(box_lambda(box, 32, 32), 1.0 - 81.0 / 1024.0);
}

TEST(CutMixBox, LamZeroCoversTheImageOnlyWhenCentred) {
  expect_box(cutmix_box(32, 32, 0.0, 16, 16), 0, 32, 0, 32);
  EXPECT_DOUBLE_EQ(box_lambda(cutmix_box(32, 32, 0.0, 16, 16), 32, 32), 0.0);
  const CutMixBox edge = cutmix_box(32, 32, 0.0, 0, 31);
  expect_box(edge, 0, 16, 15, 32);
  EXPECT_DOUBLE_EQ(box_lambda(edge, 32, 32), 1.0 - 16.0 * 17.0 / 1024.0);
}

TEST(CutMixBox, OddCutLosesAPixelAsTheReferenceDoes) {
  // cut = 9, cut // 2 = 4 on each side: an 8 x 8 box, never 9 x 9.
  const CutMixBox box = cutmix_box(9, 9, 0.0, 4, 4);
  expect_box(box, 0, 8, 0, 8);
  EXPECT_DOUBLE_EQ(box_lambda(box, 9, 9), 1.0 - 64.0 / 81.0);
}

TEST(CutMixBox, RectangularImagesUseTheirOwnSides) {
  // H 8, W 16, lam 0.75: cut 4 rows, 8 columns; centre (7, 0).
  const CutMixBox box = cutmix_box(8, 16, 0.75, 7, 0);
  expect_box(box, 5, 8, 0, 4);
  EXPECT_DOUBLE_EQ(box_lambda(box, 8, 16), 1.0 - 12.0 / 128.0);
}

TEST(CutMixBox, LamOneGivesAnEmptyBox) {
  const CutMixBox box = cutmix_box(32, 32, 1.0, 5, 7);
  EXPECT_EQ(box.area(), 0);
  EXPECT_DOUBLE_EQ(box_lambda(box, 32, 32), 1.0);
}

TEST(PasteBox, CopiesThePartnersPixelsInsideTheBoxOnly) {
  std::vector<float> a(2 * 1 * 4 * 4), b(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = static_cast<float>(i);
    b[i] = -static_cast<float>(i) - 1;
  }
  CutMixBox box;
  box.row0 = 1, box.row1 = 3, box.col0 = 2, box.col1 = 4;
  const std::vector<float> out = paste_box(from_vector(a, {2, 1, 4, 4}), from_vector(b, {2, 1, 4, 4}), box).to_vector<float>();
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t r = 0; r < 4; ++r)
      for (int64_t c = 0; c < 4; ++c) {
        const size_t i = static_cast<size_t>(n * 16 + r * 4 + c);
        const bool inside = r >= 1 && r < 3 && c >= 2;
        EXPECT_EQ(out[i], inside ? b[i] : a[i]) << n << " " << r << " " << c;
      }
}

TEST(MixBatch, CutMixCoinDecidesAndLamIsThePixelRatio) {
  Generator gen(0);
  const Tensor x = rand({4, 3, 8, 8}, gen);
  const Tensor y = from_vector<int64_t>({0, 1, 2, 3}, {4});
  MixOptions never{MixKind::CutMix, 1.0, 0.0};
  const MixedBatch kept = mix_batch(x, y, never, gen);
  EXPECT_FALSE(kept.mixed);
  EXPECT_EQ(kept.lam, 1.0);
  MixOptions always{MixKind::CutMix, 1.0, 1.0};
  int mixed_with_box = 0;
  for (int trial = 0; trial < 20; ++trial) {
    const MixedBatch m = mix_batch(x, y, always, gen);
    ASSERT_TRUE(m.mixed);
    EXPECT_DOUBLE_EQ(m.lam, box_lambda(m.box, 8, 8));
    mixed_with_box += m.box.area() > 0;
    // The pasted pixel (inside the box) of row i comes from row perm[i] = labels_b[i].
    if (m.box.area() == 0) continue;
    const std::vector<float> in = x.to_vector<float>(), out = m.images.to_vector<float>();
    const std::vector<int64_t> partner = m.labels_b.to_vector<int64_t>();
    for (int64_t i = 0; i < 4; ++i) {
      const size_t at = static_cast<size_t>(m.box.row0 * 8 + m.box.col0);
      EXPECT_EQ(out[static_cast<size_t>(i) * 192 + at], in[static_cast<size_t>(partner[i]) * 192 + at]);
    }
  }
  EXPECT_GT(mixed_with_box, 10);
  // A coin of 0.5 mixes about half of the steps.
  MixOptions half{MixKind::CutMix, 1.0, 0.5};
  int mixed = 0;
  for (int trial = 0; trial < 400; ++trial) mixed += mix_batch(x, y, half, gen).mixed;
  EXPECT_NEAR(mixed, 200, 40);
}

TEST(MixBatch, MixupBlendsEveryPixel) {
  Generator gen(1);
  const Tensor x = rand({3, 1, 2, 2}, gen);
  const Tensor y = from_vector<int64_t>({0, 1, 2}, {3});
  const MixedBatch m = mix_batch(x, y, {MixKind::Mixup, 1.0, 0.0}, gen);  // no coin for Mixup
  ASSERT_TRUE(m.mixed);
  const std::vector<float> in = x.to_vector<float>(), out = m.images.to_vector<float>();
  const std::vector<int64_t> partner = m.labels_b.to_vector<int64_t>();
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t k = 0; k < 4; ++k)
      EXPECT_NEAR(out[i * 4 + k], m.lam * in[i * 4 + k] + (1 - m.lam) * in[partner[i] * 4 + k], 1e-6);
  EXPECT_FALSE(mix_batch(x, y, {MixKind::None, 1.0, 1.0}, gen).mixed);
  EXPECT_THROW(parse_mix("cutout"), Error);
}

TEST(SampleBeta, MomentsMatchTheDistribution) {
  Generator gen(2);
  for (const auto& [a, b] : {std::pair{2.0, 5.0}, std::pair{0.5, 0.5}, std::pair{1.0, 1.0}}) {
    double sum = 0, sum_sq = 0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
      const double v = sample_beta(a, b, gen);
      ASSERT_GE(v, 0.0);
      ASSERT_LE(v, 1.0);
      sum += v;
      sum_sq += v * v;
    }
    const double mean = sum / n, var = sum_sq / n - mean * mean;
    EXPECT_NEAR(mean, a / (a + b), 0.01) << a << " " << b;
    EXPECT_NEAR(var, a * b / ((a + b) * (a + b) * (a + b + 1)), 0.005) << a << " " << b;
  }
}

}  // namespace
}  // namespace idml::train::classify
