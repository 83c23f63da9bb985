#include "train/train_config.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <type_traits>

#include "data/dataset.h"
#include "engine/error.h"
#include "models/pretrained.h"
#include "models/resnet.h"
#include "models/sha256.h"

namespace idml::train {

namespace {

// Python's str() of a float, as the reference formats lr/alpha/mrg into its
// directory name (1e-4 -> "0.0001", 32 -> "32" for the int flags).
std::string python_float(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  std::string s = out.str();
  // shortest representation that round-trips
  for (int precision = 1; precision <= 17; ++precision) {
    std::ostringstream candidate;
    candidate.precision(precision);
    candidate << value;
    if (std::stod(candidate.str()) == value) {
      s = candidate.str();
      break;
    }
  }
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

template <typename T>
void check_finite(T value, const char* flag) {
  if constexpr (std::is_floating_point_v<T>) IDML_CHECK(std::isfinite(value), flag, " must be a finite number, got ", value);
}

template <typename T>
void check_positive(T value, const char* flag) {
  check_finite(value, flag);
  IDML_CHECK(value > 0, flag, " must be positive, got ", value);
}

constexpr int64_t kMaxImageSide = 2048;
// SPEC §2: the reference always starts from torchvision's ImageNet weights, so a
// paper dataset without --pretrained would silently train from scratch.
void check_pretrained(const TrainConfig& c) {
  const bool paper_dataset = c.dataset == "cub" || c.dataset == "cars" || c.dataset == "SOP";
  if (!c.resume.empty() || c.pretrained == "none") return;
  IDML_CHECK(!paper_dataset || !c.pretrained.empty(), "--pretrained is required for --dataset ", c.dataset,
             ": the paper's recipes start from torchvision's ImageNet ResNet-50 (SPEC §2). Pass the file, e.g. "
             "--pretrained resnet50-0676ba61.pth (IMAGENET1K_V1, https://download.pytorch.org/models/"
             "resnet50-0676ba61.pth), or --pretrained none to train the backbone from scratch");
  if (c.pretrained.empty()) return;
  IDML_CHECK(std::filesystem::is_regular_file(c.pretrained), "--pretrained ", c.pretrained,
             ": no such file (expected torchvision ImageNet weights, .pth or .safetensors, or 'none')");
  if (!paper_dataset) return;
  const std::string warning =
      models::paper_recipe_warning(models::lookup_known_weights(models::sha256_of_file(c.pretrained)), c.dataset);
  if (!warning.empty()) std::fprintf(stderr, "%s\n", warning.c_str());
}

}  // namespace

void validate(const TrainConfig& c) {
  bool known = false;
  for (const std::string& name : data::dataset_names()) known = known || name == c.dataset;
  IDML_CHECK(known, "--dataset: unknown dataset '", c.dataset, "'");
  IDML_CHECK(c.loss == "Proxy_Anchor", "--loss: only Proxy_Anchor is implemented, got '", c.loss, "'");
  IDML_CHECK(c.metric == "ism" || c.metric == "cosine", "--metric: expected ism or cosine, got '", c.metric, "'");
  IDML_CHECK(c.optimizer == "adamw" || c.optimizer == "adam" || c.optimizer == "sgd" || c.optimizer == "rmsprop",
             "--optimizer: expected adamw, adam, sgd or rmsprop, got '", c.optimizer, "'");
  models::resnet_config(c.model);  // throws naming the model when unknown
  IDML_CHECK(c.clustering == "auto" || c.clustering == "on" || c.clustering == "off",
             "--clustering: expected auto, on or off, got '", c.clustering, "'");
  IDML_CHECK(c.device == "cpu" || c.device == "cuda", "--device: expected cpu or cuda, got '", c.device, "'");
  check_positive(c.embedding_size, "--embedding-size");
  IDML_CHECK(c.embedding_size <= 65536, "--embedding-size must be at most 65536, got ", c.embedding_size);
  check_positive(c.batch_size, "--batch-size");
  check_positive(c.epochs, "--epochs");
  check_positive(c.lr, "--lr");
  check_positive(c.lr_decay_step, "--lr-decay-step");
  check_positive(c.lr_decay_gamma, "--lr-decay-gamma");
  check_positive(c.alpha, "--alpha");
  check_positive(c.image_size, "--image-size");
  check_positive(c.eval_every, "--eval-every");
  check_positive(c.clip_value, "--clip");
  check_finite(c.margin, "--mrg");
  check_finite(c.weight_decay, "--weight-decay");
  // Sizes the batch buffers: beyond this a run cannot fit in memory anyway.
  IDML_CHECK(c.resize_size <= kMaxImageSide, "--resize-size must be at most ", kMaxImageSide, ", got ", c.resize_size);
  IDML_CHECK(c.resize_size >= c.image_size, "--resize-size (", c.resize_size, ") must be at least --image-size (",
             c.image_size, ")");
  IDML_CHECK(c.weight_decay >= 0, "--weight-decay must not be negative, got ", c.weight_decay);
  IDML_CHECK(c.warm >= 0, "--warm must not be negative, got ", c.warm);
  IDML_CHECK(c.workers >= 0, "--workers must not be negative, got ", c.workers);
  IDML_CHECK(c.threads >= 0, "--threads must not be negative, got ", c.threads);
  // OpenMP crashed (SIGSEGV) creating a team of 100,000 threads.
  IDML_CHECK(c.threads <= 1024, "--threads must be at most 1024, got ", c.threads);
  IDML_CHECK(c.images_per_class >= 0, "--IPC must not be negative, got ", c.images_per_class);
  if (c.images_per_class > 0)
    IDML_CHECK(c.batch_size % c.images_per_class == 0, "--IPC (", c.images_per_class,
               ") must divide --batch-size (", c.batch_size, ")");
  IDML_CHECK(c.batch_size >= 2, "--batch-size must be at least 2 (batch statistics and mixup need pairs)");
  check_positive(c.kmeans_restarts, "--kmeans-restarts");
  check_positive(c.kmeans_max_iterations, "--kmeans-max-iterations");
  check_pretrained(c);
}

nlohmann::json to_json(const TrainConfig& c) {
  return {{"dataset", c.dataset},         {"data_root", c.data_root},
          {"train_classes", c.train_classes}, {"per_class_cap", c.per_class_cap},
          {"image_size", c.image_size},   {"resize_size", c.resize_size},
          {"batch_size", c.batch_size},   {"IPC", c.images_per_class},
          {"workers", c.workers},         {"model", c.model},
          {"embedding_size", c.embedding_size}, {"l2_norm", c.l2_norm},
          {"bn_freeze", c.bn_freeze},     {"pretrained", c.pretrained},
          {"loss", c.loss},               {"metric", c.metric},
          {"alpha", c.alpha},             {"mrg", c.margin},
          {"optimizer", c.optimizer},     {"lr", c.lr},
          {"weight_decay", c.weight_decay}, {"lr_decay_step", c.lr_decay_step},
          {"lr_decay_gamma", c.lr_decay_gamma}, {"warm", c.warm},
          {"epochs", c.epochs},           {"clip", c.clip_value},
          {"seed", c.seed},               {"eval_every", c.eval_every},
          {"clustering", c.clustering},   {"kmeans_restarts", c.kmeans_restarts},
          {"kmeans_max_iterations", c.kmeans_max_iterations},
          {"eval_before_training", c.eval_before_training}, {"device", c.device},
          {"gpu_id", c.gpu_id},           {"threads", c.threads},
          {"LOG_DIR", c.log_dir},         {"remark", c.remark},
          {"resume", c.resume},           {"report", c.report},
          {"command_line", c.command_line}};
}

TrainConfig config_from_json(const nlohmann::json& j) {
  TrainConfig c;
  try {
    c.dataset = j.at("dataset");
    c.data_root = j.at("data_root");
    c.train_classes = j.at("train_classes");
    c.per_class_cap = j.at("per_class_cap");
    c.image_size = j.at("image_size");
    c.resize_size = j.at("resize_size");
    c.batch_size = j.at("batch_size");
    c.images_per_class = j.at("IPC");
    c.workers = j.at("workers");
    c.model = j.at("model");
    c.embedding_size = j.at("embedding_size");
    c.l2_norm = j.at("l2_norm");
    c.bn_freeze = j.at("bn_freeze");
    c.pretrained = j.at("pretrained");
    c.loss = j.at("loss");
    c.metric = j.at("metric");
    c.alpha = j.at("alpha");
    c.margin = j.at("mrg");
    c.optimizer = j.at("optimizer");
    c.lr = j.at("lr");
    c.weight_decay = j.at("weight_decay");
    c.lr_decay_step = j.at("lr_decay_step");
    c.lr_decay_gamma = j.at("lr_decay_gamma");
    c.warm = j.at("warm");
    c.epochs = j.at("epochs");
    c.clip_value = j.at("clip");
    c.seed = j.at("seed");
    c.eval_every = j.at("eval_every");
    c.clustering = j.value("clustering", std::string("auto"));
    c.kmeans_restarts = j.value("kmeans_restarts", 10);
    c.kmeans_max_iterations = j.value("kmeans_max_iterations", 300);
    c.eval_before_training = j.at("eval_before_training");
    c.device = j.at("device");
    c.gpu_id = j.at("gpu_id");
    c.threads = j.at("threads");
    c.log_dir = j.at("LOG_DIR");
    c.remark = j.at("remark");
    c.resume = j.at("resume");
    c.report = j.value("report", true);
    c.command_line = j.value("command_line", std::string());
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("training configuration: ") + e.what());
  }
  return c;
}

std::string run_directory(const TrainConfig& c) {
  std::ostringstream name;
  name << c.log_dir << "/logs_" << c.dataset << "/" << c.model << "_" << c.loss << "_embedding" << c.embedding_size
       << "_alpha" << python_float(c.alpha) << "_mrg" << python_float(c.margin) << "_" << c.optimizer << "_lr"
       << python_float(c.lr) << "_batch" << c.batch_size << c.remark;
  return name.str();
}

std::vector<int64_t> recall_ks_for(const std::string& dataset) {
  if (dataset == "SOP") return {1, 10, 100, 1000};
  return {1, 2, 4, 8};
}

}  // namespace idml::train
