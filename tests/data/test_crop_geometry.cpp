// RandomResizedCrop / Resize / CenterCrop parameters against torchvision 0.14:
// fed the exact numbers torchvision drew (recorded by make_goldens.py), the
// crop box must be identical.
#include <gtest/gtest.h>

#include <sstream>

#include "data/crop_geometry.h"
#include "golden_cases.h"

namespace idml::data {
namespace {

// Replays recorded draws and fails on any mismatch in how many are consumed.
class ScriptedDraws : public CropDraws {
 public:
  explicit ScriptedDraws(std::vector<double> values) : values_(std::move(values)) {}
  float uniform(float low, float high) override {
    const float v = static_cast<float>(next());
    EXPECT_GE(v, low);
    EXPECT_LT(v, high);
    return v;
  }
  int64_t randint(int64_t n) override {
    const auto v = static_cast<int64_t>(next());
    EXPECT_GE(v, 0);
    EXPECT_LT(v, n);
    return v;
  }
  size_t consumed() const { return position_; }

 private:
  double next() {
    if (position_ >= values_.size()) {
      ADD_FAILURE() << "more draws than torchvision made";
      return 0;
    }
    return values_[position_++];
  }
  std::vector<double> values_;
  size_t position_ = 0;
};

TEST(RandomResizedCrop, BoxesEqualTorchvisionGivenTheSameDraws) {
  const auto cases = testing::golden_lines("rrc");
  ASSERT_GE(cases.size(), 200u);
  int fallbacks = 0;
  for (const auto& line : cases) {
    std::istringstream words(line);
    int h, w;
    RandomResizedCropParams params;
    CropBox want;
    size_t n;
    words >> h >> w >> params.scale_min >> params.scale_max >> want.top >> want.left >>
        want.height >> want.width >> n;
    std::vector<double> values(n);
    for (auto& v : values) words >> v;
    ScriptedDraws draws(values);
    const CropBox got = random_resized_crop_box(h, w, params, draws);
    EXPECT_EQ(got, want) << line << "\n got " << got.top << " " << got.left << " " << got.height
                         << " " << got.width;
    EXPECT_EQ(draws.consumed(), n) << line;
    if (n == 20) ++fallbacks;
  }
  EXPECT_GT(fallbacks, 0) << "the goldens should exercise the centre fallback";
}

TEST(RandomResizedCrop, FallbackClampsToTheRatioRange) {
  // Draws that never fit (area fraction 1, ratio e^1 = 2.7 > 4/3 ... > width).
  class NeverFits : public CropDraws {
   public:
    float uniform(float low, float high) override { return high * 0.999f; }
    int64_t randint(int64_t) override { ADD_FAILURE(); return 0; }
  } draws;
  RandomResizedCropParams params;
  params.scale_min = 1.0;
  params.scale_max = 1.0 + 1e-6;
  // Very wide image: height kept, width = round(h * 4/3), centred.
  EXPECT_EQ(random_resized_crop_box(10, 200, params, draws), (CropBox{0, 93, 10, 13}));
  // Very tall image: width kept, height = round(w / (3/4)).
  EXPECT_EQ(random_resized_crop_box(200, 10, params, draws), (CropBox{93, 0, 13, 10}));
}

TEST(Resize, ShorterSideAndTruncatedLongSide) {
  int h, w;
  resized_shorter_side(375, 500, 256, h, w);  // 256 * 500 / 375 = 341.33
  EXPECT_EQ(h, 256);
  EXPECT_EQ(w, 341);
  resized_shorter_side(500, 333, 256, h, w);  // 256 * 500 / 333 = 384.38
  EXPECT_EQ(w, 256);
  EXPECT_EQ(h, 384);
  resized_shorter_side(28, 28, 256, h, w);
  EXPECT_EQ(h, 256);
  EXPECT_EQ(w, 256);
}

TEST(CenterCrop, PythonRoundHalfToEven) {
  // (257 - 224) / 2 = 16.5 -> 16 ; (259 - 224) / 2 = 17.5 -> 18.
  EXPECT_EQ(center_crop_box(257, 259, 224, 224), (CropBox{16, 18, 224, 224}));
  EXPECT_EQ(center_crop_box(256, 341, 224, 224), (CropBox{16, 58, 224, 224}));
  // Larger crop than image: starts at -(crop - size) // 2 (zero padding).
  EXPECT_EQ(center_crop_box(10, 300, 15, 224), (CropBox{-2, 38, 15, 224}));
}

}  // namespace
}  // namespace idml::data
