// The threaded loader: identical batches whatever the thread count, order,
// errors surfaced in the consumer with the file name, early destruction.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "data/dataset.h"
#include "data/loader.h"
#include "engine/error.h"
#include "layouts.h"

namespace idml::data {
namespace {

// An in-memory dataset of distinct images (value depends on index), so every
// batch's content is checkable; sample `bad` fails to load.
class SyntheticDataset : public Dataset {
 public:
  explicit SyntheticDataset(size_t n, size_t bad = SIZE_MAX) : n_(n), bad_(bad) {}
  size_t size() const override { return n_; }
  int64_t label(size_t i) const override { return static_cast<int64_t>(i % 7); }
  std::string source(size_t i) const override { return "synthetic/" + std::to_string(i) + ".png"; }
  Image load(size_t i) const override {
    if (i == bad_) throw Error("cannot decode image " + source(i) + ": corrupt");
    Image image(20 + static_cast<int>(i % 5), 30 - static_cast<int>(i % 3));
    for (size_t p = 0; p < image.pixels.size(); ++p) image.pixels[p] = static_cast<uint8_t>(p * 7 + i * 13);
    return image;
  }

 private:
  size_t n_, bad_;
};

std::vector<Batch> run_epoch(const Dataset& dataset, const Transform& transform, const BatchList& batches,
                             int threads) {
  LoaderOptions options;
  options.threads = threads;
  options.seed = 42;
  options.epoch = 3;
  DataLoader loader(dataset, transform, batches, options);
  std::vector<Batch> out;
  Batch batch;
  while (loader.next(batch)) out.push_back(batch);
  return out;
}

TransformOptions small() {
  TransformOptions options;
  options.image_size = 12;
  options.resize_size = 14;
  return options;
}

TEST(DataLoader, SameSeedSameBatchesWithOneOrFourThreads) {
  const SyntheticDataset dataset(50);
  const TrainTransform transform(small());
  const BatchList batches = shuffled_batches(dataset.size(), 8, 42, 3);
  const std::vector<Batch> one = run_epoch(dataset, transform, batches, 1);
  const std::vector<Batch> four = run_epoch(dataset, transform, batches, 4);
  const std::vector<Batch> inline_ = run_epoch(dataset, transform, batches, 0);
  ASSERT_EQ(one.size(), 6u);
  ASSERT_EQ(four.size(), one.size());
  ASSERT_EQ(inline_.size(), one.size());
  for (size_t b = 0; b < one.size(); ++b) {
    EXPECT_EQ(one[b].indices, batches[b]);  // in order
    EXPECT_EQ(four[b].indices, one[b].indices);
    EXPECT_EQ(four[b].labels, one[b].labels);
    EXPECT_EQ(four[b].images, one[b].images) << "batch " << b;
    EXPECT_EQ(inline_[b].images, one[b].images) << "batch " << b;
    EXPECT_EQ(one[b].size, 8);
    EXPECT_EQ(one[b].height, 12);
    EXPECT_EQ(one[b].images.size(), 8u * 3 * 12 * 12);
    for (size_t k = 0; k < 8; ++k) EXPECT_EQ(one[b].labels[k], static_cast<int64_t>(batches[b][k] % 7));
  }
  // A different epoch seed augments differently.
  LoaderOptions other;
  other.threads = 2;
  other.seed = 42;
  other.epoch = 4;
  DataLoader loader(dataset, transform, batches, other);
  Batch first;
  ASSERT_TRUE(loader.next(first));
  EXPECT_NE(first.images, one[0].images);
}

TEST(DataLoader, RepeatedIndexInABatchIsAugmentedPerPosition) {
  const SyntheticDataset dataset(4);
  const TrainTransform transform(small());
  const std::vector<Batch> out = run_epoch(dataset, transform, {{1, 1, 1, 1}}, 2);
  ASSERT_EQ(out.size(), 1u);
  const size_t per_image = 3 * 12 * 12;
  bool differs = false;
  for (size_t k = 1; k < 4; ++k) {
    differs |= !std::equal(out[0].images.begin(), out[0].images.begin() + per_image,
                           out[0].images.begin() + k * per_image);
  }
  EXPECT_TRUE(differs);
}

// A data-parallel rank loads a shard of each global batch (and mixup partners)
// with the augmentation one device gives those stream positions.
TEST(DataLoader, GivenStreamPositionsAugmentAsTheWholeEpochWould) {
  const SyntheticDataset dataset(20);
  const TrainTransform transform(small());
  const BatchList batches = shuffled_batches(dataset.size(), 4, 42, 3);
  const std::vector<Batch> whole = run_epoch(dataset, transform, batches, 2);
  // Batch 1 (stream positions 4..7): rows 2, 3, then row 0 again (a partner).
  LoaderOptions options;
  options.threads = 2;
  options.seed = 42;
  options.epoch = 3;
  DataLoader shard(dataset, transform, {{batches[1][2], batches[1][3], batches[1][0]}}, options, {{6, 7, 4}});
  Batch got;
  ASSERT_TRUE(shard.next(got));
  const size_t per_image = 3 * 12 * 12;
  const auto image = [&](const Batch& b, size_t k) {
    return std::vector<float>(b.images.begin() + k * per_image, b.images.begin() + (k + 1) * per_image);
  };
  EXPECT_EQ(image(got, 0), image(whole[1], 2));
  EXPECT_EQ(image(got, 1), image(whole[1], 3));
  EXPECT_EQ(image(got, 2), image(whole[1], 0));
  EXPECT_THROW(DataLoader(dataset, transform, {{1, 2}}, options, {{0}}), Error);
}

TEST(DataLoader, EvalBatchesAreSequentialAndDeterministic) {
  const SyntheticDataset dataset(10);
  const EvalTransform transform(small());
  const std::vector<Batch> out = run_epoch(dataset, transform, sequential_batches(10, 4), 3);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].size, 2);
  EXPECT_EQ(out[2].indices, (std::vector<size_t>{8, 9}));
  std::vector<float> expected(3 * 12 * 12);
  SampleRandom unused(0);
  transform.apply(dataset.load(9), unused, expected.data());
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), out[2].images.begin() + expected.size()));
}

TEST(DataLoader, WorkerErrorIsRethrownWithTheFileName) {
  const SyntheticDataset dataset(30, 13);
  const TrainTransform transform(small());
  for (int threads : {0, 1, 4}) {
    LoaderOptions options;
    options.threads = threads;
    DataLoader loader(dataset, transform, sequential_batches(30, 5), options);
    Batch batch;
    ASSERT_TRUE(loader.next(batch));
    ASSERT_TRUE(loader.next(batch));
    try {
      loader.next(batch);  // batch 2 holds sample 13
      FAIL() << "no error with " << threads << " threads";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("synthetic/13.png"), std::string::npos) << e.what();
    }
  }
}

TEST(DataLoader, ErrorFromADecodedFileNamesTheFile) {
  testing::TempDir dir;
  testing::make_image_folder(dir / "ds", 2, 2);
  testing::write_text(dir / "ds/class_000/img_1.png", "truncated");
  DatasetOptions options;
  options.name = "folder";
  options.root = dir / "ds";
  const auto train = open_dataset(options);
  const EvalTransform transform(small());
  DataLoader loader(*train, transform, sequential_batches(train->size(), 2), {});
  Batch batch;
  try {
    loader.next(batch);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(dir / "ds/class_000/img_1.png"), std::string::npos) << e.what();
  }
}

TEST(DataLoader, StoppingEarlyDoesNotHang) {
  const SyntheticDataset dataset(400);
  const TrainTransform transform(small());
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < 20; ++round) {
    LoaderOptions options;
    options.threads = 4;
    options.prefetch = 2;
    DataLoader loader(dataset, transform, shuffled_batches(dataset.size(), 4, round, 0), options);
    Batch batch;
    if (round % 2) {  // take one, or none, then destroy
      ASSERT_TRUE(loader.next(batch));
    }
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(DataLoader, EpochBatchesFollowSpecRules) {
  const SyntheticDataset dataset(70);
  EXPECT_EQ(epoch_batches(dataset, EpochFor::training, 14, 0, 1, 0), shuffled_batches(70, 14, 1, 0));
  EXPECT_EQ(epoch_batches(dataset, EpochFor::training, 14, 2, 1, 0), balanced_batches(dataset.labels(), 14, 2, 1, 0));
  EXPECT_EQ(epoch_batches(dataset, EpochFor::evaluation, 14, 2, 1, 0), sequential_batches(70, 14));
}

}  // namespace
}  // namespace idml::data
