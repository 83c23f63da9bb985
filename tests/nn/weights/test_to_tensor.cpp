// to_tensor: file arrays (io/raw_tensor.h) as engine tensors, Float32 or
// Int64, and F64 data kept as Float64 where asked.
#include <gtest/gtest.h>

#include <vector>

#include "nn/weights/to_tensor.h"
#include "tests/io/raw_tensor_util.h"

namespace idml::weights {
namespace {

using io::testing::bytes_of;
using io::testing::storage_of;

TEST(ToTensor, FloatTypesBecomeFloat32AndIntegersInt64) {
  io::RawTensor raw;
  raw.dtype = io::FileDType::Float64;
  raw.storage = storage_of(bytes_of<double>({0.25, -8}));
  raw.shape = {2};
  raw.strides = {1};
  Tensor t = to_tensor(raw, "x");
  EXPECT_EQ(t.dtype(), DType::Float32);
  EXPECT_EQ(t.to_vector<float>(), (std::vector<float>{0.25f, -8.0f}));
  raw.dtype = io::FileDType::Bool;
  raw.storage = storage_of({0, 3});
  t = to_tensor(raw, "x");
  EXPECT_EQ(t.dtype(), DType::Int64);
  EXPECT_EQ(t.to_vector<int64_t>(), (std::vector<int64_t>{0, 1}));
}

TEST(ToTensor, Float64DataIsKeptWhereAsked) {
  io::RawTensor raw;
  raw.dtype = io::FileDType::Float64;
  raw.storage = storage_of(bytes_of<double>({0.1, 1e300}));
  raw.shape = {2};
  raw.strides = {1};
  const Tensor t = to_tensor(raw, "x", Float64Data::keep);
  EXPECT_EQ(t.dtype(), DType::Float64);
  EXPECT_EQ(t.to_vector<double>(), (std::vector<double>{0.1, 1e300}));
}

}  // namespace
}  // namespace idml::weights
