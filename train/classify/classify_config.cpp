// ClassifyConfig: validation, JSON, the run directory name, the LR schedules.
#include "train/classify/classify_config.h"

#include <cmath>
#include <sstream>

#include "engine/error.h"
#include "train/classify/mixing.h"

namespace idml::train::classify {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ClassifyConfig, dataset, data_root, per_class_cap, batch_size, workers,
                                                model, depth, alpha, bottleneck, ism, mix, beta, cutmix_prob, lr,
                                                weight_decay, lr_schedule, epochs, seed, eval_every, device, gpu_id,
                                                threads, log_dir, remark, resume)

void validate(const ClassifyConfig& c) {
  IDML_CHECK(c.batch_size > 0, "--batch-size must be positive, got ", c.batch_size);
  IDML_CHECK(c.epochs > 0, "--epochs must be positive, got ", c.epochs);
  IDML_CHECK(c.lr > 0, "--lr must be positive, got ", c.lr);
  IDML_CHECK(c.weight_decay >= 0, "--weight-decay must be >= 0, got ", c.weight_decay);
  IDML_CHECK(c.eval_every > 0, "--eval-every must be positive, got ", c.eval_every);
  IDML_CHECK(c.beta >= 0, "--beta must be >= 0 (0: no mixing), got ", c.beta);
  IDML_CHECK(c.cutmix_prob >= 0 && c.cutmix_prob <= 1, "--cutmix-prob must be in [0, 1], got ", c.cutmix_prob);
  IDML_CHECK(c.per_class_cap >= 0, "--per-class-cap must be >= 0, got ", c.per_class_cap);
  IDML_CHECK(c.workers >= 0, "--workers must be >= 0, got ", c.workers);
  IDML_CHECK(c.threads >= 0 && c.threads <= 1024, "--threads must be in 0..1024, got ", c.threads);  // OpenMP's team
  // --alpha 1e8 asked the allocator for 82 TB before any flag was named.
  IDML_CHECK(c.alpha > 0 && c.alpha <= 4096, "--alpha must be in (0, 4096], got ", c.alpha);
  IDML_CHECK(c.depth > 0 && c.depth <= 2000, "--depth must be in 1..2000, got ", c.depth);
  IDML_CHECK(c.lr_schedule == "auto" || c.lr_schedule == "cifar" || c.lr_schedule == "imagenet",
             "--lr-schedule: expected auto, cifar or imagenet, got '", c.lr_schedule, "'");
  IDML_CHECK(c.model == "pyramidnet" || c.model.rfind("resnet", 0) == 0,
             "--model: expected pyramidnet, resnet18, resnet34, resnet50 or resnet101, got '", c.model, "'");
  parse_mix(c.mix);
  data_recipe(c.dataset);
}

nlohmann::json to_json(const ClassifyConfig& config) {
  nlohmann::json j;
  to_json(j, config);
  return j;
}

ClassifyConfig classify_config_from_json(const nlohmann::json& json) {
  try {
    return json.get<ClassifyConfig>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("classification configuration: ") + e.what());
  }
}

std::string run_directory(const ClassifyConfig& c) {
  std::ostringstream name;
  name << c.log_dir << "/logs_" << c.dataset << "/" << c.model;
  if (c.model == "pyramidnet") name << c.depth;
  name << "_ism" << (c.ism ? 1 : 0) << "_" << c.mix << "_sgd_lr" << c.lr << "_batch" << c.batch_size << c.remark;
  return name.str();
}

std::string resolved_schedule(const ClassifyConfig& c) {
  if (c.lr_schedule != "auto") return c.lr_schedule;
  return c.dataset == "imagenet" ? "imagenet" : "cifar";
}

double learning_rate(const std::string& schedule, double lr, int64_t epoch, int64_t epochs) {
  const double e = static_cast<double>(epoch), total = static_cast<double>(epochs);
  if (schedule == "cifar") return lr * std::pow(0.1, std::floor(e / (total * 0.5))) * std::pow(0.1, std::floor(e / (total * 0.75)));
  IDML_CHECK(schedule == "imagenet", "unknown LR schedule '", schedule, "'");
  return lr * std::pow(0.1, std::floor(e / (epochs == 300 ? 75.0 : 30.0)));
}

DataRecipe data_recipe(const std::string& dataset) {
  if (dataset == "cifar10" || dataset == "cifar100")
    return {32, 4, {125.3f / 255, 123.0f / 255, 113.9f / 255}, {63.0f / 255, 62.1f / 255, 66.7f / 255}};
  if (dataset == "imagenet") return {224, 0, {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}};
  IDML_CHECK(dataset == "fashion-mnist", "--dataset: expected cifar10, cifar100, imagenet or fashion-mnist, got '",
             dataset, "'");
  return {28, 2, {0.2860f, 0.2860f, 0.2860f}, {0.3530f, 0.3530f, 0.3530f}};
}

}  // namespace idml::train::classify
