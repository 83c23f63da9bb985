// Resize, CenterCrop, resized crop and Normalize against Pillow 9.4 /
// torchvision 0.14 results stored in golden/ (make_goldens.py). Resampling must
// be bit-exact: it is Pillow's integer algorithm, reproduced.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "data/decode.h"
#include "data/image_ops.h"
#include "data/pil_resample.h"
#include "data/transforms.h"
#include "golden_cases.h"

namespace idml::data {
namespace {

using testing::golden_lines;
using testing::golden_path;

// Largest absolute difference, with a readable failure on size mismatch.
int max_abs_diff(const Image& got, const std::vector<uint8_t>& want) {
  EXPECT_EQ(got.pixels.size(), want.size());
  if (got.pixels.size() != want.size()) return 256;
  int worst = 0;
  for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::abs(got.pixels[i] - want[i]));
  return worst;
}

TEST(PilResample, ResizeMatchesPillowBitExact) {
  const auto cases = golden_lines("resize");
  ASSERT_GE(cases.size(), 5u);
  for (const auto& line : cases) {
    std::istringstream words(line);
    std::string input, result;
    int out_w, out_h;
    words >> input >> out_w >> out_h >> result;
    const Image out = resize_bilinear_pil(decode_image_file(golden_path(input)), out_w, out_h);
    ASSERT_EQ(out.width, out_w);
    ASSERT_EQ(out.height, out_h);
    EXPECT_EQ(max_abs_diff(out, testing::read_u8(result)), 0) << line;
  }
}

TEST(EvalTransform, ResizeCenterCropNormalizeMatchTorchvision) {
  const auto cases = golden_lines("eval");
  ASSERT_GE(cases.size(), 4u);
  for (const auto& line : cases) {
    std::istringstream words(line);
    std::string input, result_u8, result_f32;
    int resize, crop_size;
    words >> input >> resize >> crop_size >> result_u8 >> result_f32;
    TransformOptions options;
    options.resize_size = resize;
    options.image_size = crop_size;
    const EvalTransform transform(options);
    const Image image = decode_image_file(golden_path(input));
    EXPECT_EQ(max_abs_diff(transform.resize_and_crop(image), testing::read_u8(result_u8)), 0) << line;

    const std::vector<float> want = testing::read_f32(result_f32);
    std::vector<float> got(3 * crop_size * crop_size, -99.0f);
    SampleRandom unused(0);
    transform.apply(image, unused, got.data());
    ASSERT_EQ(got.size(), want.size()) << line;
    float worst = 0;
    for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::fabs(got[i] - want[i]));
    EXPECT_LE(worst, 1e-6f) << line;
  }
}

TEST(TrainTransform, ResizedCropMatchesTorchvision) {
  const auto cases = golden_lines("resized_crop");
  ASSERT_GE(cases.size(), 3u);
  for (const auto& line : cases) {
    std::istringstream words(line);
    std::string input, result;
    CropBox box;
    int size;
    words >> input >> box.top >> box.left >> box.height >> box.width >> size >> result;
    const Image out = resized_crop(decode_image_file(golden_path(input)), box, size);
    EXPECT_EQ(max_abs_diff(out, testing::read_u8(result)), 0) << line;
  }
}

TEST(PilResample, CoefficientsSumToOneInFixedPoint) {
  // Each output pixel's weights are normalised before rounding: their sum is
  // 2^22 up to one rounding step per tap.
  for (int in : {1, 7, 53, 300}) {
    for (int out : {1, 5, 53, 224}) {
      const ResampleCoefficients c = bilinear_coefficients(in, 0, in, out);
      for (int i = 0; i < out; ++i) {
        long sum = 0;
        for (int k = 0; k < c.count[i]; ++k) sum += c.weights[i * c.kernel_size + k];
        EXPECT_NEAR(sum, 1 << 22, c.count[i]) << in << "->" << out << " at " << i;
        EXPECT_GE(c.first[i], 0);
        EXPECT_LE(c.first[i] + c.count[i], in);
      }
    }
  }
}

TEST(ImageOps, HorizontalFlipMirrorsAndIsAnInvolution) {
  Image image(2, 3);
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>(i);
  const Image flipped = horizontal_flip(image);
  EXPECT_EQ(flipped.row(1)[0], image.row(1)[6]);
  EXPECT_EQ(flipped.row(1)[2], image.row(1)[8]);
  EXPECT_EQ(horizontal_flip(flipped).pixels, image.pixels);
}

TEST(TrainTransform, SameSampleStreamGivesSameOutput) {
  const Image image = decode_image_file(golden_path("in_a.png"));
  TransformOptions options;
  options.image_size = 16;
  const TrainTransform transform(options);
  std::vector<float> a(3 * 16 * 16), b(a.size());
  SampleRandom r1 = SampleRandom::for_sample(7, 2, 11), r2 = SampleRandom::for_sample(7, 2, 11);
  transform.apply(image, r1, a.data());
  transform.apply(image, r2, b.data());
  EXPECT_EQ(a, b);
  // A different sample index draws differently (the crops of 20 samples are not all equal).
  bool any_differs = false;
  for (uint64_t index = 0; index < 20 && !any_differs; ++index) {
    SampleRandom r = SampleRandom::for_sample(7, 2, index);
    std::vector<float> c(a.size());
    transform.apply(image, r, c.data());
    any_differs = c != a;
  }
  EXPECT_TRUE(any_differs);
}

}  // namespace
}  // namespace idml::data
