// Test helper: the tiny Fashion-MNIST training run of the trainer's tests
// (ResNet-18 at 32 px, 8 images per class, batch 8, warm-up 1, 3 epochs),
// logging under a directory private to the test process.
#pragma once

#include <filesystem>

#include "tests/private_directory.h"
#include "train/train_config.h"

namespace idml::testing {

inline train::TrainConfig tiny_config(const std::filesystem::path& log_dir) {
  train::TrainConfig c;
  c.dataset = data::DatasetId::FashionMnist;
  c.per_class_cap = 8;
  c.model = "resnet18";
  c.embedding_size = 16;
  c.image_size = 32;
  c.resize_size = 32;
  c.batch_size = 8;
  c.lr = 1e-3;
  c.warm = 1;
  c.epochs = 3;
  c.workers = 2;
  c.seed = 7;
  c.log_dir = log_dir.string();
  return c;
}

}  // namespace idml::testing
