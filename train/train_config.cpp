// The training configuration: validation, JSON round trip, run-directory name and recall Ks.
#include "train/train_config.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <type_traits>

#include "data/dataset_catalog.h"
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
// docs/METHOD.md#2-model: the reference always starts from torchvision's ImageNet weights, so a
// paper dataset without --pretrained would silently train from scratch.
void check_pretrained(const TrainConfig& c) {
  const bool paper_dataset = data::dataset_info(c.dataset).benchmark == data::Benchmark::paper;
  const char* dataset = data::dataset_name(c.dataset);
  if (!c.resume.empty() || c.pretrained == "none") return;
  IDML_CHECK(!paper_dataset || !c.pretrained.empty(), "--pretrained is required for --dataset ", dataset,
             ": the paper's recipes start from torchvision's ImageNet ResNet-50 (docs/METHOD.md#2-model). Pass the file, e.g. "
             "--pretrained resnet50-0676ba61.pth (IMAGENET1K_V1, https://download.pytorch.org/models/"
             "resnet50-0676ba61.pth), or --pretrained none to train the backbone from scratch");
  if (c.pretrained.empty()) return;
  IDML_CHECK(std::filesystem::is_regular_file(c.pretrained), "--pretrained ", c.pretrained,
             ": no such file (expected torchvision ImageNet weights, .pth or .safetensors, or 'none')");
  if (!paper_dataset) return;
  const std::string warning =
      models::paper_recipe_warning(models::lookup_known_weights(models::sha256_of_file(c.pretrained)), dataset);
  if (!warning.empty()) std::fprintf(stderr, "%s\n", warning.c_str());
}

// A pair-based loss needs batches with several images of a class: the
// balanced sampler, --IPC (docs/METHOD.md#4-losses).
void check_images_per_class(const TrainConfig& c) {
  const ImagesPerClassNeed need = images_per_class_need(c.loss);
  if (need.images_per_class == 0) return;
  const std::string loss = choice_name(c.loss);
  if (need.count == ImagesPerClassNeed::Count::exactly)
    IDML_CHECK(c.images_per_class == need.images_per_class, "--loss ", loss, " needs --IPC ", need.images_per_class,
               " (balanced batches of ", need.images_per_class, " images per class; ", need.why, "), got --IPC ",
               c.images_per_class);
  else
    IDML_CHECK(c.images_per_class >= need.images_per_class, "--loss ", loss, " needs --IPC N with N >= ",
               need.images_per_class, " (balanced batches of N images per class; ", need.why, "), got --IPC ",
               c.images_per_class);
}

}  // namespace

void validate(const TrainConfig& c) {
  // --dataset, --metric, --optimizer, --clustering and --device are enums: a wrong name fails when it is parsed.
  models::resnet_config(c.model);  // throws naming the model when unknown
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
  check_images_per_class(c);
  check_finite(c.proxy_lr_scale, "--proxy-lr-scale");
  IDML_CHECK(c.proxy_lr_scale >= 0, "--proxy-lr-scale must not be negative, got ", c.proxy_lr_scale);
  IDML_CHECK(c.batch_size >= 2, "--batch-size must be at least 2 (batch statistics and mixup need pairs)");
  check_positive(c.kmeans_restarts, "--kmeans-restarts");
  check_positive(c.kmeans_max_iterations, "--kmeans-max-iterations");
  check_pretrained(c);
}

std::string primary_flag(const ConfigFieldInfo& field) {
  const std::string flags = field.flags;
  return flags.substr(0, flags.find(','));
}

nlohmann::json to_json(const TrainConfig& config) {
  nlohmann::json j = nlohmann::json::object();
  for_each_config_field([&](const ConfigFieldInfo& field, const auto& value) {
    if constexpr (std::is_enum_v<std::decay_t<decltype(value)>>) j[field.json_key] = choice_name(value);
    else j[field.json_key] = value;
  }, config);
  return j;
}

TrainConfig config_from_json(const nlohmann::json& j) {
  TrainConfig c;
  try {
    for_each_config_field([&](const ConfigFieldInfo& field, auto& value) {
      using T = std::decay_t<decltype(value)>;
      if ((field.traits & ConfigField::Optional) && !j.contains(field.json_key)) return;  // older file: the default
      const nlohmann::json& stored = j.at(field.json_key);
      if constexpr (std::is_enum_v<T>) value = parse_choice<T>(stored.get<std::string>(), field.json_key);
      else value = stored.get<T>();
    }, c);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("training configuration: ") + e.what());
  } catch (const Error& e) {
    throw Error(std::string("training configuration: ") + e.what());
  }
  return c;
}

std::string run_directory(const TrainConfig& c) {
  std::ostringstream name;
  name << c.log_dir << "/logs_" << data::dataset_name(c.dataset) << "/" << c.model << "_" << choice_name(c.loss) << "_embedding"
       << c.embedding_size << "_alpha" << python_float(c.alpha) << "_mrg" << python_float(c.margin) << "_"
       << choice_name(c.optimizer) << "_lr" << python_float(c.lr) << "_batch" << c.batch_size << c.remark;
  return name.str();
}

std::vector<int64_t> recall_ks_for(data::DatasetId dataset) { return data::dataset_info(dataset).recall_ks; }

}  // namespace idml::train
