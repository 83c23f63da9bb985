// The CIFAR readers on small files written by Python's pickle and NumPy
// (golden/cifar/make_cifar_files.py): the python batches as Python 2 and
// Python 3 wrote them, the binary batches, both giving the same images; and
// bad input (a truncated batch, a pickle calling a forbidden global, a wrong
// label count, a truncated binary batch) as a clear error naming the file.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "data/classification_datasets.h"
#include "engine/error.h"
#include "tests/error_of.h"

namespace idml::data {
namespace {

const std::string kDir = std::string(IDML_DATA_GOLDEN_DIR) + "/cifar";

using testing::error_of;

// The generator's formula: record r of batch b.
int pixel(int b, int r, int k) { return (5 * b + 7 * r + 3 * k) % 256; }

TEST(Cifar, PythonBatchesOfEveryPicklerAreRead) {
  // data_batch_1: Python 2's str; 2-4: Python 3 protocol 2; 5: protocol 4.
  for (int b = 1; b <= 5; ++b) {
    SCOPED_TRACE(b);
    const CifarBatch batch = read_cifar_pickle(kDir + "/cifar-10-batches-py/data_batch_" + std::to_string(b), 10);
    ASSERT_EQ(batch.labels.size(), 2u);
    ASSERT_EQ(batch.pixels.size(), 2u * 3072);
    EXPECT_EQ(batch.labels[1], (3 * b + 1) % 10);
    for (int k : {0, 1, 1023, 1024, 3071}) EXPECT_EQ(batch.pixels[3072 + k], pixel(b, 1, k));
  }
}

TEST(Cifar, TenClassTrainAndTestSplitsAsImages) {
  const auto train = open_cifar(kDir, 10, Split::Train);
  const auto test = open_cifar(kDir, 10, Split::Eval);
  ASSERT_EQ(train->size(), 10u);  // 5 batches of 2
  ASSERT_EQ(test->size(), 2u);
  EXPECT_EQ(train->label(3), (3 * 2 + 1) % 10);  // batch 2, record 1
  const Image image = train->load(3);
  ASSERT_EQ(image.height, 32);
  ASSERT_EQ(image.width, 32);
  // Pixel (y 1, x 2): R = k 34, G = 1024 + 34, B = 2048 + 34 of the CHW record.
  const size_t at = 3 * (1 * 32 + 2);
  EXPECT_EQ(image.pixels[at], pixel(2, 1, 34));
  EXPECT_EQ(image.pixels[at + 1], pixel(2, 1, 1024 + 34));
  EXPECT_EQ(image.pixels[at + 2], pixel(2, 1, 2048 + 34));
  EXPECT_NE(train->source(3).find("data_batch_2#1"), std::string::npos);
  EXPECT_EQ(test->label(0), (3 * 6) % 10);
}

TEST(Cifar, BinaryBatchesEqualThePythonOnes) {
  const CifarBatch binary = read_cifar_binary(kDir + "/cifar-10-batches-bin/test_batch.bin", 10);
  const CifarBatch python = read_cifar_pickle(kDir + "/cifar-10-batches-py/test_batch", 10);
  EXPECT_EQ(binary.labels, python.labels);
  EXPECT_EQ(binary.pixels, python.pixels);
  // The binary folder alone is found too.
  const auto from_binary = open_cifar(kDir + "/cifar-10-batches-bin", 10, Split::Train);
  ASSERT_EQ(from_binary->size(), 10u);
  EXPECT_EQ(from_binary->load(9).pixels, open_cifar(kDir, 10, Split::Train)->load(9).pixels);
}

TEST(Cifar, HundredClassFilesUseTheFineLabels) {
  const auto train = open_cifar(kDir, 100, Split::Train);
  ASSERT_EQ(train->size(), 2u);
  EXPECT_EQ(train->label(0), 21);  // (3 * 7) % 100
  EXPECT_EQ(train->label(1), 22);
  EXPECT_EQ(open_cifar(kDir, 100, Split::Eval)->label(1), 25);
}

TEST(Cifar, BadFilesAreClearErrors) {
  const std::string bad = kDir + "/bad/";
  EXPECT_NE(error_of([&] { read_cifar_pickle(bad + "truncated_batch", 10); }).find("truncated_batch"),
            std::string::npos);
  const std::string forbidden = error_of([&] { read_cifar_pickle(bad + "forbidden_global", 10); });
  EXPECT_NE(forbidden.find("forbidden pickle global"), std::string::npos) << forbidden;
  EXPECT_NE(forbidden.find("system"), std::string::npos) << forbidden;
  const std::string count = error_of([&] { read_cifar_pickle(bad + "wrong_label_count", 10); });
  EXPECT_NE(count.find("2 images in 'data' but 3 labels"), std::string::npos) << count;
  const std::string binary = error_of([&] { read_cifar_binary(bad + "truncated_batch.bin", 10); });
  EXPECT_NE(binary.find("not a whole number of CIFAR-10 records"), std::string::npos) << binary;
  // A 100-class label in a 10-class reader.
  const std::string range = error_of([&] { read_cifar_pickle(kDir + "/cifar-100-python/train", 10); });
  EXPECT_NE(range.find("needs the keys 'data' and 'labels'"), std::string::npos) << range;
  const std::string missing = error_of([&] { open_cifar(kDir + "/nowhere", 10, Split::Train); });
  EXPECT_NE(missing.find("cifar-10-batches-py/data_batch_1"), std::string::npos) << missing;
}

// Found by the audit of issue 13 (and fuzz_cifar): an ndarray BUILT twice, first
// with shape (2,) and 2 data bytes, then (3072,) and 3072 bytes, read as (2,
// 3072) over 3072 bytes; loading image 1 read 3072 bytes past the buffer.
template <size_t N>
std::string raw(const char (&s)[N]) {  // a literal with its NUL bytes
  return std::string(s, N - 1);
}

TEST(Cifar, NdarrayBuiltTwiceIsRefused) {
  const std::string dtype = raw("cnumpy\ndtype\nU\x02u1K\x00K\x01\x87R(K\x03U\x01|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb");
  const std::string array = raw("cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85U\x01" "b\x87R");
  const std::string first = raw("(K\x01K\x02\x85") + dtype + raw("\x89U\x02\x00\x00tb");
  const std::string second = raw("(K\x01M\x00\x0c\x85") + dtype + raw("\x89T\x00\x0c\x00\x00") + std::string(3072, '\0') + "tb";
  const std::string pickle = raw("\x80\x02}X\x04\x00\x00\x00" "data") + array + first + second +
                             raw("sX\x06\x00\x00\x00" "labels]K\x00" "aK\x00" "as.");
  const std::string path = (std::filesystem::temp_directory_path() / ("idml_cifar_double_build_" +
                            std::to_string(::getpid()))).string();
  std::ofstream(path, std::ios::binary) << pickle;
  const std::string error = error_of([&] { read_cifar_pickle(path, 10); });
  std::filesystem::remove(path);
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_NE(error.find("BUILDs one ndarray twice"), std::string::npos) << error;
}

TEST(ClassificationDatasets, NamesAreCheckedAndFashionMnistKeepsEveryClass) {
  EXPECT_NE(error_of([] { open_classification_dataset("mnist", "/tmp", Split::Train); }).find("choose cifar10"),
            std::string::npos);
  if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist")) GTEST_SKIP() << "no Fashion-MNIST installed";
  const auto test = open_classification_dataset("fashion-mnist", "", Split::Eval);
  EXPECT_EQ(test->size(), 10000u);
  EXPECT_EQ(test->num_classes(), 10u);
}

}  // namespace
}  // namespace idml::data
