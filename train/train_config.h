// Everything `idml train` is configured by: the reference's flags plus ours
// (docs/METHOD.md#1-results, #5-training-step to #8-evaluation). The resolved configuration is printed, saved as
// config.json in the log directory, and stored in checkpoints so that a
// resumed run continues with the same settings.
//
// IDML_TRAIN_CONFIG_FIELDS is the one list of the fields: the struct, the
// command line (train/cli/train_command.cpp), the JSON read and write and the
// flags a resumed run may change all come from it. One row:
//   X(type, member, default, JSON key, flags, help, traits)
// traits (ConfigField): ShowDefault (help shows the default), Resumable (--resume
// takes it from the command line instead of the checkpoint), Optional (older
// JSON lacks it: read as the default), Switch (a flag without a value),
// OwnCli (registered by hand, e.g. the device helper), NoCli (not a flag).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "train/config_enums.h"

namespace idml::train {

namespace ConfigField {
enum : unsigned { None = 0, ShowDefault = 1, Resumable = 2, Optional = 4, Switch = 8, OwnCli = 16, NoCli = 32 };
}

// clang-format off
#define IDML_TRAIN_CONFIG_FIELDS(X)                                                                                  \
  /* data */                                                                                                        \
  X(data::DatasetId, dataset, data::DatasetId::Cub, "dataset", "--dataset",                                         \
    "cub | cars | SOP | folder | fashion-mnist", ShowDefault)                                                       \
  X(std::string, data_root, "", "data_root", "--data-root",                                                         \
    "folder holding the dataset (fashion-mnist: default Debian's install)", Resumable)                              \
  X(int, train_classes, 0, "train_classes", "--train-classes",                                                      \
    "folder: classes in the train split (default: first half)", None)                                               \
  X(int, per_class_cap, 0, "per_class_cap", "--per-class-cap",                                                      \
    "fashion-mnist: at most N images per class in every split", None)                                               \
  X(int, image_size, 224, "image_size", "--image-size", "training/eval crop size", ShowDefault)                     \
  X(int, resize_size, 256, "resize_size", "--resize-size", "eval: shorter side before the centre crop", ShowDefault) \
  X(int64_t, batch_size, 150, "batch_size", "--batch-size,--sz-batch", "images per step", ShowDefault)              \
  X(int64_t, images_per_class, 0, "IPC", "--IPC",                                                                   \
    "balanced sampling: images per class in a batch (0: off; MS, Contrastive, Triplet: >= 2; NPair: 2)", None)        \
  X(int, workers, 4, "workers", "--workers,--nb-workers", "data loader threads", ShowDefault | Resumable)            \
  /* model */                                                                                                       \
  X(std::string, model, "resnet50", "model", "--model", "resnet18 | resnet34 | resnet50 | resnet101", ShowDefault)  \
  X(int64_t, embedding_size, 512, "embedding_size", "--embedding-size,--sz-embedding", "embedding size D",          \
    ShowDefault)                                                                                                    \
  X(bool, l2_norm, true, "l2_norm", "--l2-norm", "1: l2-normalise both embeddings", ShowDefault)                    \
  X(bool, bn_freeze, true, "bn_freeze", "--bn-freeze", "1: BatchNorm in inference mode, affine frozen", ShowDefault) \
  X(std::string, pretrained, "", "pretrained", "--pretrained",                                                      \
    "ImageNet backbone weights (.pth or .safetensors), or none; required for cub, cars, SOP", None)                 \
  /* loss */                                                                                                        \
  X(LossKind, loss, LossKind::ProxyAnchor, "loss", "--loss",                                                        \
    "Proxy_Anchor | Proxy_NCA | MS | Contrastive | Triplet | NPair (train/losses/README.md)", ShowDefault)          \
  X(Metric, metric, Metric::Introspective, "metric", "--metric", "ism | cosine (the plain loss)", ShowDefault)      \
  X(double, alpha, 32.0, "alpha", "--alpha", "Proxy-Anchor alpha", ShowDefault)                                     \
  X(double, margin, 0.1, "mrg", "--mrg", "Proxy-Anchor margin", ShowDefault)                                        \
  /* optimisation */                                                                                                \
  X(Optimizer, optimizer, Optimizer::AdamW, "optimizer", "--optimizer", "adamw | adam | sgd | rmsprop", ShowDefault) \
  X(double, lr, 1e-4, "lr", "--lr", "learning rate (proxies: x --proxy-lr-scale)", ShowDefault)                     \
  X(double, proxy_lr_scale, 100.0, "proxy_lr_scale", "--proxy-lr-scale",                                            \
    "proxy losses: the proxies' lr = lr x this; 0: proxies fixed (the reference's Proxy_NCA)", ShowDefault | Optional) \
  X(double, weight_decay, 1e-4, "weight_decay", "--weight-decay", "weight decay", ShowDefault)                      \
  X(int64_t, lr_decay_step, 10, "lr_decay_step", "--lr-decay-step", "StepLR step, in epochs", ShowDefault)          \
  X(double, lr_decay_gamma, 0.5, "lr_decay_gamma", "--lr-decay-gamma", "StepLR gamma", ShowDefault)                 \
  X(int64_t, warm, 1, "warm", "--warm", "warm-up epochs (only the embedding and proxies train)", ShowDefault)        \
  X(int64_t, epochs, 60, "epochs", "--epochs,--nb-epochs", "epochs", ShowDefault | Resumable)                       \
  X(double, clip_value, 10.0, "clip", "--clip", "clip every gradient element to [-clip, clip]", ShowDefault)         \
  /* run */                                                                                                         \
  X(uint64_t, seed, 0, "seed", "--seed", "random seed", ShowDefault)                                                \
  X(int64_t, eval_every, 1, "eval_every", "--eval-every", "evaluate every N epochs (and after the last)",           \
    ShowDefault | Resumable)                                                                                        \
  X(Clustering, clustering, Clustering::Auto, "clustering", "--clustering",                                         \
    "NMI and F1 by k-means: auto (off for SOP on a CPU) | on | off", ShowDefault | Resumable | Optional)            \
  X(int, kmeans_restarts, 10, "kmeans_restarts", "--kmeans-restarts", "k-means restarts for NMI/F1",                \
    ShowDefault | Resumable | Optional)                                                                             \
  X(int, kmeans_max_iterations, 300, "kmeans_max_iterations", "--kmeans-max-iterations",                            \
    "Lloyd iterations per restart at most", ShowDefault | Resumable | Optional)                                     \
  X(bool, eval_before_training, false, "eval_before_training", "--eval-before",                                     \
    "also evaluate before the first epoch", Switch)                                                                 \
  X(DeviceKind, device, DeviceKind::CPU, "device", "--device", "cpu | cuda", OwnCli | Resumable)                    \
  X(int, gpu_id, 0, "gpu_id", "--gpu-id,--gpu", "CUDA device index; -1: every visible GPU (one rank each)",         \
    OwnCli | Resumable)                                                                                             \
  X(int, threads, 0, "threads", "--threads", "engine threads (0: all cores)", ShowDefault | Resumable)              \
  X(std::string, log_dir, "./logs", "LOG_DIR", "--log-dir,--LOG_DIR", "where run directories go",                   \
    ShowDefault | Resumable)                                                                                        \
  X(std::string, remark, "", "remark", "--remark", "suffix of the log directory name", None)                        \
  X(std::string, resume, "", "resume", "--resume", "continue a run from its *_last.safetensors checkpoint", None)   \
  X(bool, report, true, "report", "--report", "1: write report.html in the run directory after every evaluation",  \
    ShowDefault | Resumable | Optional)                                                                             \
  /* how this run was started, for the report */                                                                    \
  X(std::string, command_line, "", "command_line", "", "", NoCli | Optional)
// clang-format on

struct TrainConfig {
#define IDML_CONFIG_MEMBER(type, member, init, key, flags, help, traits) type member = init;
  IDML_TRAIN_CONFIG_FIELDS(IDML_CONFIG_MEMBER)
#undef IDML_CONFIG_MEMBER
};

// Calls visit(ConfigFieldInfo, configs.field...) for every field of the list,
// in order: one config to read or write it, two to copy between them.
struct ConfigFieldInfo {
  const char* json_key;
  const char* flags;  // CLI11 names, "--long,--alias"
  const char* help;
  unsigned traits;
};
template <typename Visit, typename... Configs>
void for_each_config_field(Visit&& visit, Configs&... configs) {
  using namespace ConfigField;
#define IDML_CONFIG_VISIT(type, member, init, key, flags, help, traits) \
  visit(ConfigFieldInfo{key, flags, help, traits}, configs.member...);
  IDML_TRAIN_CONFIG_FIELDS(IDML_CONFIG_VISIT)
#undef IDML_CONFIG_VISIT
}

// The first name of a field's flags ("--epochs" of "--epochs,--nb-epochs").
std::string primary_flag(const ConfigFieldInfo& field);

// Throws idml::Error naming the flag when a value is out of range or unknown,
// or when a paper dataset (cub, cars, SOP) has no --pretrained (a new run;
// a resumed one has its weights). Prints a warning on stderr when the
// --pretrained file is torchvision's V2 ResNet-50 for a paper dataset.
void validate(const TrainConfig& config);

// Enums are written by their names (config_enums.h); a missing key is an error
// except for the Optional fields, which older files lack.
nlohmann::json to_json(const TrainConfig& config);
TrainConfig config_from_json(const nlohmann::json& json);

// The reference's run directory name under --LOG_DIR:
//   logs_<dataset>/<model>_<loss>_embedding<D>_alpha<a>_mrg<m>_<optimizer>_lr<lr>_batch<B><remark>
std::string run_directory(const TrainConfig& config);

// Recall@K list of a dataset (data/dataset_catalog.h): SOP 1, 10, 100, 1000; others 1, 2, 4, 8.
std::vector<int64_t> recall_ks_for(data::DatasetId dataset);

}  // namespace idml::train
