// ClassificationRun: the steps of `idml classify train`, each short.
#include "train/classify/classification_run.h"

#include <omp.h>

#include <chrono>
#include <cstdio>
#include <map>

#include "data/batch_tensors.h"
#include "data/classification_datasets.h"
#include "data/classification_transforms.h"
#include "data/loader.h"
#include "data/samplers.h"
#include "train/mixup_step.h"
#include "train/progress_bar.h"
#include "train/run_setup.h"
#include "train/stopwatch.h"

namespace idml::train::classify {

namespace {

// The first `cap` samples of each class, in dataset order.
class CappedDataset : public data::Dataset {
 public:
  CappedDataset(std::unique_ptr<data::Dataset> inner, int cap) : inner_(std::move(inner)) {
    std::map<int64_t, int> taken;
    for (size_t i = 0; i < inner_->size(); ++i)
      if (taken[inner_->label(i)]++ < cap) kept_.push_back(i);
  }
  size_t size() const override { return kept_.size(); }
  int64_t label(size_t index) const override { return inner_->label(kept_.at(index)); }
  data::Image load(size_t index) const override { return inner_->load(kept_.at(index)); }
  std::string source(size_t index) const override { return inner_->source(kept_.at(index)); }

 private:
  std::unique_ptr<data::Dataset> inner_;
  std::vector<size_t> kept_;
};

}  // namespace

std::unique_ptr<data::Dataset> open_split(const ClassifyConfig& config, data::Split split) {
  auto dataset = data::open_classification_dataset(config.dataset, config.data_root, split);
  if (config.per_class_cap > 0) return std::make_unique<CappedDataset>(std::move(dataset), config.per_class_cap);
  return dataset;
}

std::unique_ptr<models::ClassifierNet> build_classifier(const ClassifyConfig& config, int64_t num_classes) {
  Generator init_gen(config.seed);
  models::ClassifierConfig model{config.model, num_classes, config.depth, config.alpha, config.bottleneck, 0};
  return models::make_classifier(model, init_gen);
}

std::unique_ptr<data::Transform> eval_transform_for(const ClassifyConfig& config) {
  const DataRecipe recipe = data_recipe(config.dataset);
  if (config.dataset != "imagenet") return std::make_unique<data::NormalizeTransform>(recipe.image_size, recipe.mean, recipe.std);
  return std::make_unique<data::EvalTransform>(data::TransformOptions{});  // resize 256, centre crop 224
}

ClassificationRun::ClassificationRun(const ClassifyConfig& config) : config_(config), device_(Device::cpu()) {
  validate(config_);
  if (config_.threads > 0) omp_set_num_threads(config_.threads);
  device_ = resolve_device(config_.device, config_.gpu_id);
  open_data();
  build_model();
  config_json_ = to_json(config_);
  if (!config_.resume.empty()) resume();
  log_ = std::make_unique<RunLog>(run_directory(config_));
  log_->write_config(config_json_, device_);
  std::printf("configuration: %s\nlog directory: %s\n", config_json_.dump().c_str(), log_->directory().c_str());
  const std::string stem = config_.dataset + "_" + config_.model;
  best_path_ = log_->path(stem + "_best.safetensors");
  last_path_ = log_->path(stem + "_last.safetensors");
}

void ClassificationRun::open_data() {
  train_set_ = open_split(config_, data::Split::Train);
  eval_set_ = open_split(config_, data::Split::Eval);
  std::printf("data: %s train %zu images / %zu classes, val %zu images\n", config_.dataset.c_str(), train_set_->size(),
              train_set_->num_classes(), eval_set_->size());
  IDML_CHECK(train_set_->size() >= static_cast<size_t>(config_.batch_size), "--batch-size ", config_.batch_size,
             " is larger than the training split (", train_set_->size(), " images)");
  const DataRecipe recipe = data_recipe(config_.dataset);
  if (config_.dataset == "imagenet") {
    train_transform_ = std::make_unique<data::ImageNetTrainTransform>(data::TransformOptions{});
  } else {
    train_transform_ =
        std::make_unique<data::RandomCropTransform>(recipe.image_size, recipe.padding, recipe.mean, recipe.std);
  }
  eval_transform_ = eval_transform_for(config_);
}

void ClassificationRun::build_model() {
  // Class count from the labels (max + 1), so a capped or partial split keeps the dataset's ids.
  int64_t classes = 0;
  for (int64_t y : train_set_->labels()) classes = std::max(classes, y + 1);
  net_ = build_classifier(config_, classes);
  net_->module().to(device_);
  nn::ParamGroup group{"model", net_->module().parameters(), config_.lr, config_.weight_decay};
  optimizer_ = make_optimizer("sgd", {group});  // momentum 0.9, Nesterov
}

void ClassificationRun::resume() {
  progress_ = load_classifier_training(config_.resume, net_->module(), *optimizer_);
  std::printf("resumed from %s at epoch %lld\n", config_.resume.c_str(), static_cast<long long>(progress_.next_epoch));
}

ClassificationRun::EpochStats ClassificationRun::train_epoch(int64_t epoch) {
  const auto start = Clock::now();
  EpochStats stats;
  stats.lr = learning_rate(resolved_schedule(config_), config_.lr, epoch, config_.epochs);
  for (auto& group : optimizer_->param_groups()) group.lr = stats.lr;
  net_->module().train();
  data::LoaderOptions loader_options;
  loader_options.threads = config_.workers;
  loader_options.seed = config_.seed;
  loader_options.epoch = static_cast<uint64_t>(epoch);
  data::BatchList batches = data::epoch_batches(*train_set_, data::EpochFor::training,
                                                static_cast<size_t>(config_.batch_size), 0, config_.seed,
                                                static_cast<uint64_t>(epoch));
  data::DataLoader loader(*train_set_, *train_transform_, std::move(batches), loader_options);
  Generator step_gen(epoch_seed(config_.seed, epoch));
  ClassifyStepOptions step_options;
  step_options.logits = config_.ism ? TrainingLogits::ism : TrainingLogits::plain;
  step_options.mix = {parse_mix(config_.mix), config_.beta, config_.cutmix_prob};
  ProgressBar bar(epoch, config_.epochs, static_cast<int64_t>(loader.num_batches()));
  double loss_sum = 0;
  data::Batch batch;
  while (loader.next(batch)) {
    const data::BatchTensors tensors = data::to_tensors(batch, device_);
    ClassifyStepResult step;
    try {
      step = classify_train_step(*net_, *optimizer_, tensors.images, tensors.labels, step_gen, step_options);
    } catch (const NonFiniteLoss& e) {
      bar.finish();
      log_->append({{"event", "stopped"}, {"epoch", epoch}, {"step", stats.steps}, {"reason", e.what()}});
      throw Error("training stopped at epoch " + std::to_string(epoch) + ", step " + std::to_string(stats.steps) +
                  ": " + e.what());
    }
    loss_sum += step.loss;
    stats.images += batch.size;
    ++stats.steps;
    bar.update(stats.steps, loss_sum / stats.steps, stats.images / seconds_since(start));
  }
  bar.finish();
  stats.mean_loss = stats.steps ? loss_sum / stats.steps : 0.0;
  stats.seconds = seconds_since(start);
  return stats;
}

TopKErrors ClassificationRun::evaluate() {
  return evaluate_classifier(*net_, *eval_set_, *eval_transform_,
                             {config_.batch_size, config_.workers, device_});
}

void ClassificationRun::keep_if_best(int64_t epoch, const TopKErrors& errors) {
  if (errors.top1 >= progress_.best_top1_error) return;
  progress_.best_epoch = epoch;
  progress_.best_top1_error = errors.top1;
  progress_.best_metrics = {{"top1_error", errors.top1}, {"top5_error", errors.top5}};
  save_classifier_model(best_path_, net_->module(), epoch, config_json_, progress_.best_metrics);
  std::printf("  new best top-1 error %.2f%%: saved %s\n", 100 * errors.top1, best_path_.c_str());
}

void ClassificationRun::save(int64_t epoch, const nlohmann::json& record) {
  progress_.next_epoch = epoch + 1;
  save_classifier_training(last_path_, net_->module(), *optimizer_, progress_, config_json_);
  log_->append(record);
  std::fflush(stdout);
}

ClassifySummary ClassificationRun::run() {
  const auto run_start = Clock::now();
  for (int64_t epoch = progress_.next_epoch; epoch < config_.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    const EpochStats stats = train_epoch(epoch);
    nlohmann::json record = {{"event", "epoch"},        {"epoch", epoch},
                             {"loss", stats.mean_loss}, {"lr", stats.lr},
                             {"images_per_second", stats.images / stats.seconds},
                             {"train_seconds", stats.seconds}};
    std::printf("epoch %lld/%lld: loss %.4f, lr %g, %.1f img/s, %.1f s\n", static_cast<long long>(epoch + 1),
                static_cast<long long>(config_.epochs), stats.mean_loss, stats.lr, stats.images / stats.seconds,
                stats.seconds);
    if ((epoch + 1) % config_.eval_every == 0 || epoch + 1 == config_.epochs) {
      const TopKErrors errors = evaluate();
      last_top1_error_ = errors.top1;
      record["top1_error"] = errors.top1;
      record["top5_error"] = errors.top5;
      std::printf("  val: top-1 error %.2f%%, top-5 error %.2f%% (%lld images)\n", 100 * errors.top1,
                  100 * errors.top5, static_cast<long long>(errors.images));
      keep_if_best(epoch, errors);
    }
    record["seconds"] = seconds_since(epoch_start);
    save(epoch, record);
  }
  ClassifySummary summary;
  summary.run_directory = log_->directory();
  summary.best_epoch = progress_.best_epoch;
  summary.best_top1_error = progress_.best_top1_error;
  summary.best_top5_error = progress_.best_metrics.value("top5_error", 1.0);
  summary.last_top1_error = last_top1_error_;
  summary.seconds = seconds_since(run_start);
  return summary;
}

}  // namespace idml::train::classify
