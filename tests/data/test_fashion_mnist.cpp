// Fashion-MNIST splits from generated IDX files (and, when Debian's
// dataset-fashion-mnist is installed, the real counts of docs/METHOD.md#7-data).
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "data/dataset.h"
#include "engine/error.h"
#include "layouts.h"

namespace idml::data {
namespace {

std::unique_ptr<Dataset> open_fmnist(const std::string& root, Split split, int cap = 0) {
  return testing::open_at("fashion-mnist", root, split, 0, cap);
}

// 30 records of 3x2 pixels, label = record % 10, pixel value = record.
void write_small_set(const std::string& dir, const std::string& prefix) {
  std::vector<uint8_t> pixels, labels;
  for (int r = 0; r < 30; ++r) {
    labels.push_back(static_cast<uint8_t>(r % 10));
    for (int p = 0; p < 6; ++p) pixels.push_back(static_cast<uint8_t>(r * 8 + p));
  }
  testing::write_idx_images(dir + "/" + prefix + "-images-idx3-ubyte.gz", 30, 3, 2, pixels);
  testing::write_idx_labels(dir + "/" + prefix + "-labels-idx1-ubyte.gz", labels);
}

TEST(FashionMnist, TrainSeenAndEvalSplits) {
  testing::TempDir dir;
  write_small_set(dir.path().string(), "train");
  write_small_set(dir.path().string(), "t10k");
  const auto train = open_fmnist(dir.path().string(), Split::Train);
  const auto eval = open_fmnist(dir.path().string(), Split::Eval);
  const auto seen = open_fmnist(dir.path().string(), Split::Seen);
  EXPECT_EQ(train->size(), 15u);
  EXPECT_EQ(eval->size(), 15u);
  EXPECT_EQ(seen->size(), 15u);
  EXPECT_EQ(train->num_classes(), 5u);
  EXPECT_EQ(eval->label(0), 5);
  EXPECT_EQ(seen->label(6), 1);
  EXPECT_NE(train->source(0).find("train-images-idx3-ubyte.gz#0"), std::string::npos);
  EXPECT_NE(eval->source(0).find("t10k-images-idx3-ubyte.gz#5"), std::string::npos);
  // Record 11 (label 1) is the 7th train image: 3x2 grey replicated to RGB.
  const Image image = train->load(6);
  ASSERT_EQ(image.height, 3);
  ASSERT_EQ(image.width, 2);
  EXPECT_EQ(image.pixels[0], 11 * 8);
  EXPECT_EQ(image.pixels[1], 11 * 8);
  EXPECT_EQ(image.pixels[3 * 5 + 2], 11 * 8 + 5);

  const auto capped = open_fmnist(dir.path().string(), Split::Train, 2);
  EXPECT_EQ(capped->size(), 10u);
}

TEST(FashionMnist, SubfolderAndUncompressedFilesAreFound) {
  testing::TempDir dir;
  write_small_set(dir / "fashion-mnist", "train");
  EXPECT_EQ(open_fmnist(dir.path().string(), Split::Train)->size(), 15u);
}

TEST(FashionMnist, MissingOrCorruptFilesAreErrors) {
  testing::TempDir dir;
  try {
    open_fmnist(dir.path().string(), Split::Eval);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("t10k-images-idx3-ubyte.gz"), std::string::npos) << e.what();
  }
  testing::write_idx_labels(dir / "train-images-idx3-ubyte.gz", {1, 2, 3});  // labels where images belong
  testing::write_idx_labels(dir / "train-labels-idx1-ubyte.gz", {1, 2, 3});
  EXPECT_THROW(open_fmnist(dir.path().string(), Split::Train), Error);
}

// An uncompressed images file holding only `header`, beside three labels;
// opening the split must fail with `expected` in the message.
void expect_header_refused(const testing::TempDir& dir, const unsigned char (&header)[16],
                           const std::string& expected) {
  std::ofstream(dir / "train-images-idx3-ubyte", std::ios::binary)
      .write(reinterpret_cast<const char*>(header), sizeof header);
  testing::write_idx_labels(dir / "train-labels-idx1-ubyte.gz", {1, 2, 3});
  try {
    open_fmnist(dir.path().string(), Split::Train);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(dir / "train-images-idx3-ubyte" + expected), std::string::npos) << e.what();
  }
}

// Issue 13 item 3: 65536 x 2^24 x 2^24 wraps to 0 in size_t, so the size check
// passed and a later 2^48-byte allocation failed as a bare bad_alloc.
TEST(FashionMnist, DimensionProductThatWrapsIsAnErrorNamingTheFile) {
  const unsigned char header[16] = {0, 0, 8, 3, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0};
  expect_header_refused(testing::TempDir(), header, ": header declares 65536 x 16777216");
}

// Issue 13: a gzip bomb. 10 images of 28 x 28 declared, then 256 MiB of zeros
// (256 KB of gzip): the reader inflated the whole stream before checking it
// against the header. Now it inflates only what the header declares, plus one byte.
TEST(FashionMnist, GzipBombInflatesOnlyWhatTheHeaderDeclares) {
  testing::TempDir dir;
  const std::string images = dir / "train-images-idx3-ubyte.gz";
  {
    std::unique_ptr<gzFile_s, int (*)(gzFile)> out(gzopen(images.c_str(), "wb1"), &gzclose);
    const unsigned char header[16] = {0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28};
    ASSERT_EQ(gzwrite(out.get(), header, sizeof header), static_cast<int>(sizeof header));
    const std::vector<char> zeros(1 << 20, 0);
    for (int mib = 0; mib < 256; ++mib) ASSERT_EQ(gzwrite(out.get(), zeros.data(), zeros.size()), 1 << 20);
  }
  ASSERT_LT(std::filesystem::file_size(images), 2u << 20);
  testing::write_idx_labels(dir / "train-labels-idx1-ubyte.gz", std::vector<uint8_t>(10, 1));
  // Peak RSS before and after: the process's own baseline (a CUDA-linked build
  // maps large libraries) is not the reader's doing.
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  try {
    open_fmnist(dir.path().string(), Split::Train);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(images + ": more than 7840 data bytes, header says 10 x 28 x 28"),
              std::string::npos) << e.what();
  }
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 64 * 1024) << "growth of the peak RSS in KiB";  // the bomb is 256 MiB
}

// A header declaring 2 GiB (32768 images of 256 x 256) is refused before any
// data is read, naming the file and the bound.
TEST(FashionMnist, HeaderDeclaringMoreThanTheBoundIsRefused) {
  const unsigned char header[16] = {0, 0, 8, 3, 0, 0, 0x80, 0, 0, 0, 1, 0, 0, 0, 1, 0};
  expect_header_refused(testing::TempDir(), header, ": header declares 32768 x 256 x 256 bytes, more than the 1024 MiB");
}

TEST(FashionMnist, DebianPackageSplitSizes) {
  const std::string root = "/usr/share/datasets/fashion-mnist";
  if (!std::filesystem::exists(root + "/train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  const auto train = open_fmnist("", Split::Train);  // empty root: the Debian path
  EXPECT_EQ(train->size(), 30000u);
  EXPECT_EQ(train->num_classes(), 5u);
  const auto eval = open_fmnist(root, Split::Eval);
  EXPECT_EQ(eval->size(), 5000u);
  EXPECT_EQ(open_fmnist(root, Split::Seen)->size(), 5000u);
  EXPECT_EQ(eval->load(0).height, 28);
}

}  // namespace
}  // namespace idml::data
