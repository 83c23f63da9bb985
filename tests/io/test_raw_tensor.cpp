// io::RawTensor: element conversion (half, bfloat16, integers) and the strided
// gather that turns file views into contiguous element lists.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "io/raw_tensor.h"
#include "tests/error_of.h"
#include "tests/io/raw_tensor_util.h"

namespace idml::io {
namespace {

// `run` throws an idml::Error whose message holds every one of `parts`.
void expect_error(const std::function<void()>& run, const std::vector<std::string>& parts) {
  const std::string message = idml::testing::error_of(run);
  EXPECT_FALSE(message.empty()) << "no idml::Error thrown";
  for (const std::string& part : parts)
    EXPECT_NE(message.find(part), std::string::npos) << "message \"" << message << "\" lacks \"" << part << "\"";
}

using testing::bytes_of;
using testing::storage_of;

TEST(HalfToFloat, NormalSubnormalAndSpecialValues) {
  EXPECT_EQ(half_to_float(0x3c00), 1.0f);
  EXPECT_EQ(half_to_float(0xc000), -2.0f);
  EXPECT_EQ(half_to_float(0x7bff), 65504.0f);          // largest half
  EXPECT_EQ(half_to_float(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(half_to_float(0x0200), std::ldexp(1.0f, -15));
  EXPECT_EQ(half_to_float(0x8000), 0.0f);
  EXPECT_TRUE(std::signbit(half_to_float(0x8000)));
  EXPECT_EQ(half_to_float(0x7c00), std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(half_to_float(0x7e00)));
}

TEST(BFloat16ToFloat, IsTheTopHalfOfAFloat) {
  EXPECT_EQ(bfloat16_to_float(0x3f80), 1.0f);
  EXPECT_EQ(bfloat16_to_float(0xc049), -3.140625f);
}

TEST(Gather, TransposedViewBecomesContiguous) {
  RawTensor raw;  // storage [[0, 1, 2], [3, 4, 5]] viewed transposed: (3, 2) strides (1, 3)
  raw.storage = storage_of(bytes_of<float>({0, 1, 2, 3, 4, 5}));
  raw.shape = {3, 2};
  raw.strides = {1, 3};
  EXPECT_EQ(gather_floats(raw, "t"), (std::vector<float>{0, 3, 1, 4, 2, 5}));
}

TEST(Gather, OffsetAndZeroStride) {
  RawTensor raw;
  raw.dtype = FileDType::Int32;
  raw.storage = storage_of(bytes_of<int32_t>({9, -1, 7}));
  raw.offset = 1;
  raw.shape = {2, 2};
  raw.strides = {0, 1};
  EXPECT_EQ(gather_integers(raw, "t"), (std::vector<int64_t>{-1, 7, -1, 7}));
}

TEST(Gather, BigEndianStorageIsSwapped) {
  RawTensor raw;
  raw.dtype = FileDType::Int16;
  raw.storage = storage_of({0x01, 0x02});
  raw.storage->big_endian = true;
  raw.shape = {1};
  raw.strides = {1};
  EXPECT_EQ(gather_integers(raw, "t"), (std::vector<int64_t>{0x0102}));
}

TEST(Gather, ViewOutsideItsStorageIsAnError) {
  RawTensor raw;
  raw.storage = storage_of(bytes_of<float>({0, 1, 2, 3}));
  raw.shape = {2, 2};
  raw.strides = {2, 1};
  raw.offset = 1;  // reaches element 4 of 4
  expect_error([&] { gather_floats(raw, "f.pth: 'w'"); }, {"f.pth: 'w'", "reaches element 4", "4 elements"});
  raw.offset = -1;
  expect_error([&] { gather_floats(raw, "f.pth: 'w'"); }, {"negative storage offset"});
}

TEST(Gather, HugeExpandedViewIsAnError) {
  RawTensor raw;
  raw.storage = storage_of(bytes_of<float>({1}));
  raw.shape = {int64_t(1) << 40};
  raw.strides = {0};
  expect_error([&] { gather_floats(raw, "x"); }, {"view of 1099511627776 elements"});
}

}  // namespace
}  // namespace idml::io
