// Everything `idml train` is configured by: the reference's flags plus ours
// (SPEC §1, §5-8). The resolved configuration is printed, saved as
// config.json in the log directory, and stored in checkpoints so that a
// resumed run continues with the same settings.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace idml::train {

struct TrainConfig {
  // data
  std::string dataset = "cub";
  std::string data_root;
  int train_classes = 0;      // folder: classes in the train split (0 = first half)
  int per_class_cap = 0;      // fashion-mnist: images per class (0 = all)
  int image_size = 224;
  int resize_size = 256;
  int64_t batch_size = 150;
  int64_t images_per_class = 0;  // --IPC; 0 = plain shuffled batches
  int workers = 4;
  // model
  std::string model = "resnet50";
  int64_t embedding_size = 512;
  bool l2_norm = true;
  bool bn_freeze = true;
  std::string pretrained;     // ImageNet backbone weights (.pth or safetensors), or "none";
                              // required for the paper's datasets (cub, cars, SOP)
  // loss
  std::string loss = "Proxy_Anchor";
  std::string metric = "ism";  // ism | cosine
  double alpha = 32.0;
  double margin = 0.1;         // --mrg
  // optimisation
  std::string optimizer = "adamw";  // adamw | adam | sgd | rmsprop
  double lr = 1e-4;
  double weight_decay = 1e-4;
  int64_t lr_decay_step = 10;
  double lr_decay_gamma = 0.5;
  int64_t warm = 1;
  int64_t epochs = 60;
  double clip_value = 10.0;
  // run
  uint64_t seed = 0;
  int64_t eval_every = 1;
  std::string clustering = "auto";  // NMI/F1 by k-means: auto (off for SOP on a CPU) | on | off
  int kmeans_restarts = 10;         // --kmeans-restarts (sklearn's n_init)
  int kmeans_max_iterations = 300;  // --kmeans-max-iterations (sklearn's max_iter)
  bool eval_before_training = false;
  std::string device = "cpu";  // cpu | cuda
  int gpu_id = 0;
  int threads = 0;             // OpenMP threads for the engine (0 = all cores)
  std::string log_dir = "./logs";
  std::string remark;
  std::string resume;          // checkpoint to continue from
  bool report = true;          // write report.html after every evaluation (train/report)
  std::string command_line;    // how this run was started, for the report
};

// Throws idml::Error naming the flag when a value is out of range or unknown,
// or when a paper dataset (cub, cars, SOP) has no --pretrained (a new run;
// a resumed one has its weights). Prints a warning on stderr when the
// --pretrained file is torchvision's V2 ResNet-50 for a paper dataset.
void validate(const TrainConfig& config);

nlohmann::json to_json(const TrainConfig& config);
TrainConfig config_from_json(const nlohmann::json& json);

// The reference's run directory name under --LOG_DIR:
//   logs_<dataset>/<model>_<loss>_embedding<D>_alpha<a>_mrg<m>_<optimizer>_lr<lr>_batch<B><remark>
std::string run_directory(const TrainConfig& config);

// Recall@K list of a dataset: SOP 1, 10, 100, 1000; others 1, 2, 4, 8.
std::vector<int64_t> recall_ks_for(const std::string& dataset);

}  // namespace idml::train
