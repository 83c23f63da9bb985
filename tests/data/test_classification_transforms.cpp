// The classification pipelines of docs/METHOD.md#10-classification: RandomCrop with zero padding (every
// offset reachable, pixels moved, not changed), colour jitter and PCA lighting
// on hand cases.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "data/classification_transforms.h"
#include "engine/error.h"

namespace idml::data {
namespace {

Image numbered(int h, int w) {
  Image image(h, w);
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>(1 + i % 250);
  return image;
}

// The (top, left, flipped) that explains `out`, or (-1, -1) when none does.
std::tuple<int, int, bool> find_offset(const Image& image, const Image& out, int padding) {
  for (bool flip : {false, true})
    for (int top = 0; top <= 2 * padding; ++top)
      for (int left = 0; left <= 2 * padding; ++left) {
        bool same = true;
        for (int y = 0; y < out.height && same; ++y)
          for (int x = 0; x < out.width && same; ++x) {
            const int sy = top + y - padding, sx = left + (flip ? out.width - 1 - x : x) - padding;
            const bool inside = sy >= 0 && sy < image.height && sx >= 0 && sx < image.width;
            for (int c = 0; c < 3 && same; ++c)
              same = out.row(y)[3 * x + c] == (inside ? image.row(sy)[3 * sx + c] : 0);
          }
        if (same) return {top, left, flip};
      }
  return {-1, -1, false};
}

TEST(RandomCropTransform, PadsWithZerosAndReachesEveryOffset) {
  const Image image = numbered(6, 6);
  RandomCropTransform transform(6, 2, {0, 0, 0}, {1, 1, 1});
  std::set<std::tuple<int, int, bool>> seen;
  for (uint64_t k = 0; k < 400; ++k) {
    SampleRandom random = SampleRandom::for_sample(1, 0, k);
    const auto found = find_offset(image, transform.augment(image, random), 2);
    ASSERT_GE(std::get<0>(found), 0) << "sample " << k;
    seen.insert(found);
  }
  EXPECT_EQ(seen.size(), 50u);  // 5 x 5 offsets, flipped or not
  SampleRandom random(0);
  EXPECT_THROW(RandomCropTransform(32, 0, {0, 0, 0}, {1, 1, 1}).augment(image, random), Error);
}

TEST(ColorJitter, ZeroStrengthIsTheIdentityAndGreyStaysGrey) {
  std::vector<float> rgb{0.1f, 0.5f, 0.9f, 0.3f, 0.2f, 0.7f};  // 2 pixels, CHW
  std::vector<float> same = rgb;
  SampleRandom random(3);
  color_jitter(same.data(), 2, 0.0, random);
  for (size_t i = 0; i < rgb.size(); ++i) EXPECT_FLOAT_EQ(same[i], rgb[i]);
  // A grey image: contrast and saturation targets equal the image; only brightness scales it.
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<float> grey(3 * 4, 0.5f);
    color_jitter(grey.data(), 4, 0.4, random);
    for (float v : grey) {
      EXPECT_NEAR(v, grey[0], 1e-6);
      EXPECT_GE(v, 0.5f * 0.6f - 1e-6f);
      EXPECT_LE(v, 0.5f * 1.4f + 1e-6f);
    }
  }
}

TEST(PcaLighting, ShiftsEachChannelByOneAmountAlongTheEigenvectors) {
  std::vector<float> image(3 * 5, 0.25f);
  SampleRandom random(4);
  pca_lighting(image.data(), 5, 0.1, random);
  for (int c = 0; c < 3; ++c)
    for (int i = 1; i < 5; ++i) EXPECT_FLOAT_EQ(image[c * 5 + i], image[c * 5]);
  EXPECT_NE(image[0], 0.25f);
  // The shift is at most |alpha| 0.2175 in size; alpha ~ N(0, 0.1) keeps it small.
  for (int c = 0; c < 3; ++c) EXPECT_LT(std::abs(image[c * 5] - 0.25f), 0.1f);
  std::vector<float> off(3, 0.5f);
  pca_lighting(off.data(), 1, 0.0, random);
  EXPECT_EQ(off, std::vector<float>(3, 0.5f));
}

}  // namespace
}  // namespace idml::data
