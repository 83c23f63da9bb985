// Batch -> engine tensors: shapes, dtypes and values carried over.
#include <gtest/gtest.h>

#include "data/batch_tensors.h"
#include "engine/error.h"

namespace idml::data {
namespace {

TEST(ToTensors, ImagesFloatNchwAndLabelsInt64) {
  Batch batch;
  batch.size = 2;
  batch.height = 2;
  batch.width = 3;
  for (int i = 0; i < 2 * 3 * 2 * 3; ++i) batch.images.push_back(0.5f * i - 3.0f);
  batch.labels = {7, 196};
  batch.indices = {4, 9};
  const BatchTensors t = to_tensors(batch);
  EXPECT_EQ(t.images.shape(), (Shape{2, 3, 2, 3}));
  EXPECT_EQ(t.images.dtype(), DType::Float32);
  EXPECT_EQ(t.labels.shape(), (Shape{2}));
  EXPECT_EQ(t.labels.dtype(), DType::Int64);
  EXPECT_FALSE(t.images.requires_grad());
  EXPECT_EQ(t.images.data<float>()[35], 0.5f * 35 - 3.0f);
  EXPECT_EQ(t.labels.data<int64_t>()[1], 196);
}

TEST(ToTensors, InconsistentBatchIsAnError) {
  Batch batch;
  batch.size = 2;
  batch.height = batch.width = 4;
  batch.images.resize(10);
  batch.labels = {1, 2};
  EXPECT_THROW(to_tensors(batch), Error);
}

}  // namespace
}  // namespace idml::data
