// The data sets of the classification task (docs/METHOD.md#10-classification), each split into train
// and val/test with every class in both (unlike retrieval's class-disjoint splits):
//   cifar10        <root>/cifar-10-batches-py/{data_batch_1..5, test_batch}  (python pickles)
//                  or <root>/cifar-10-batches-bin/{data_batch_1..5, test_batch}.bin
//   cifar100       <root>/cifar-100-python/{train, test}  (fine labels)
//                  or <root>/cifar-100-binary/{train, test}.bin
//   imagenet       <root>/train/<class dir>/*, <root>/val/<class dir>/* (the same class folders)
//   fashion-mnist  the four IDX files, all 10 classes (train files / test files)
// Split::Eval is the val/test split.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace idml::data {

std::unique_ptr<Dataset> open_classification_dataset(const std::string& name, const std::string& root, Split split);
const std::vector<std::string>& classification_dataset_names();

// CIFAR from the batch files themselves (the pickle or binary records), num_classes 10 or 100.
std::unique_ptr<Dataset> open_cifar(const std::string& root, int num_classes, Split split);

// One CIFAR batch file: (N, 3072) uint8 rows (1024 R, 1024 G, 1024 B, each 32x32
// row-major) and N labels; throws naming the file on anything else.
struct CifarBatch {
  std::vector<uint8_t> pixels;
  std::vector<int64_t> labels;
};
CifarBatch read_cifar_pickle(const std::string& path, int num_classes);
CifarBatch read_cifar_binary(const std::string& path, int num_classes);

}  // namespace idml::data
