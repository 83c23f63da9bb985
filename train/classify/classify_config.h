// Everything `idml classify train` is configured by (docs/METHOD.md#10-classification). Resolved
// defaults per dataset (image size, padding, normalisation, the LR schedule)
// are filled in by resolve(); the result is printed, saved as config.json and
// stored in checkpoints, so `classify eval` and --resume rebuild the same run.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace idml::train::classify {

struct ClassifyConfig {
  // data
  std::string dataset = "fashion-mnist";  // cifar10 | cifar100 | imagenet | fashion-mnist
  std::string data_root;
  int per_class_cap = 0;        // at most N images per class in each split (0: all)
  int64_t batch_size = 64;
  int workers = 2;
  // model
  std::string model = "pyramidnet";  // pyramidnet | resnet18 | resnet34 | resnet50 | resnet101
  int64_t depth = 200;
  double alpha = 240;
  bool bottleneck = true;
  // method
  bool ism = true;              // --ism 1: ISM training logits z'
  std::string mix = "cutmix";   // none | mixup | cutmix
  double beta = 1.0;
  double cutmix_prob = 0.5;
  // optimisation: SGD, momentum 0.9, Nesterov
  double lr = 0.25;
  double weight_decay = 1e-4;
  std::string lr_schedule = "auto";  // auto | cifar (x0.1 at 50% and 75%) | imagenet (x0.1 every 30, or 75 of 300)
  int64_t epochs = 300;
  // run
  uint64_t seed = 0;
  int64_t eval_every = 1;
  std::string device = "cpu";
  int gpu_id = 0;
  int threads = 0;
  std::string log_dir = "./logs";
  std::string remark;
  std::string resume;
};

// Throws naming the flag for a bad value.
void validate(const ClassifyConfig& config);

nlohmann::json to_json(const ClassifyConfig& config);
ClassifyConfig classify_config_from_json(const nlohmann::json& json);

// <log_dir>/logs_<dataset>/<model>[<depth>]_ism<0|1>_<mix>_sgd_lr<lr>_batch<B><remark>
std::string run_directory(const ClassifyConfig& config);

// "cifar" for CIFAR and Fashion-MNIST, "imagenet" for ImageNet, when lr_schedule is auto.
std::string resolved_schedule(const ClassifyConfig& config);

// docs/METHOD.md#10-classification's schedules (CutMix-PyTorch's adjust_learning_rate), lr of epoch e (0-based):
//   cifar:    lr 0.1^floor(e / (0.5 E)) 0.1^floor(e / (0.75 E))
//   imagenet: lr 0.1^floor(e / 75) when E = 300, else lr 0.1^floor(e / 30)
double learning_rate(const std::string& schedule, double lr, int64_t epoch, int64_t epochs);

// The dataset's input side and normalisation (CIFAR: mean (125.3, 123.0, 113.9)/255,
// std (63.0, 62.1, 66.7)/255; ImageNet: torchvision's; Fashion-MNIST: 0.2860/0.3530 on every channel).
struct DataRecipe {
  int image_size = 32;
  int padding = 4;  // RandomCrop padding (0 for ImageNet: RandomResizedCrop instead)
  std::array<float, 3> mean{}, std{};
};
DataRecipe data_recipe(const std::string& dataset);

}  // namespace idml::train::classify
