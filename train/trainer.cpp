#include "train/trainer.h"

#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>

#include "data/batch_tensors.h"
#include "data/loader.h"
#include "engine/backend.h"
#include "engine/ops.h"
#include "models/pretrained.h"
#include "nn/adam.h"
#include "nn/lr_scheduler.h"
#include "nn/rmsprop.h"
#include "nn/sgd.h"
#include "train/checkpoint.h"
#include "train/evaluation.h"
#include "train/freezing.h"
#include "train/mixup_step.h"
#include "train/run_log.h"

namespace idml::train {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::unique_ptr<nn::Optimizer> make_optimizer(const TrainConfig& c, std::vector<nn::ParamGroup> groups) {
  if (c.optimizer == "adamw") return std::make_unique<nn::AdamW>(std::move(groups));
  if (c.optimizer == "adam") return std::make_unique<nn::Adam>(std::move(groups));
  if (c.optimizer == "sgd") {  // the reference: momentum 0.9, Nesterov
    nn::SGDOptions options;
    options.momentum = 0.9;
    options.nesterov = true;
    return std::make_unique<nn::SGD>(std::move(groups), options);
  }
  nn::RMSpropOptions options;  // the reference: alpha 0.9, momentum 0.9
  options.alpha = 0.9;
  options.momentum = 0.9;
  return std::make_unique<nn::RMSprop>(std::move(groups), options);
}

// The step generator of an epoch depends on (seed, epoch) only.
uint64_t epoch_seed(uint64_t seed, int64_t epoch) {
  return seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(epoch) * 0xD1B54A32D192ED03ULL + 0x5EED;
}

Device resolve_device(const TrainConfig& c) {
  if (c.device == "cpu") return Device::cpu();
  IDML_CHECK(cuda_available(), "--device cuda: no CUDA device is available (",
#ifdef IDML_WITH_CUDA
             "no GPU found or the driver is missing",
#else
             "this idml was built without the CUDA backend",
#endif
             ")");
  return Device::cuda(c.gpu_id);
}

nlohmann::json metrics_json(const metrics::EvaluationResult& result) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : result.metrics) out[name] = value;
  return out;
}

struct Splits {
  std::unique_ptr<data::Dataset> train, eval, seen;
};

Splits open_splits(const TrainConfig& c) {
  data::DatasetOptions options;
  options.name = c.dataset;
  options.root = c.data_root;
  options.train_classes = c.train_classes;
  options.per_class_cap = c.per_class_cap;
  Splits s;
  options.split = data::Split::Train;
  s.train = data::open_dataset(options);
  options.split = data::Split::Eval;
  s.eval = data::open_dataset(options);
  if (c.dataset == "fashion-mnist") {
    options.split = data::Split::Seen;
    s.seen = data::open_dataset(options);
  }
  return s;
}

}  // namespace

TrainSummary run_training(const TrainConfig& config) {
  validate(config);
  const auto run_start = Clock::now();
  if (config.threads > 0) omp_set_num_threads(config.threads);
  const Device device = resolve_device(config);

  const Splits splits = open_splits(config);
  const int64_t num_classes = static_cast<int64_t>(splits.train->num_classes());
  std::printf("data: %s train %zu images / %lld classes, eval %zu images / %zu classes", config.dataset.c_str(),
              splits.train->size(), static_cast<long long>(num_classes), splits.eval->size(),
              splits.eval->num_classes());
  if (splits.seen) std::printf(", seen %zu images", splits.seen->size());
  std::printf("\n");
  IDML_CHECK(splits.train->size() >= static_cast<size_t>(config.batch_size), "--batch-size ", config.batch_size,
             " is larger than the training split (", splits.train->size(), " images)");

  Generator init_gen(config.seed);
  models::IDMLNetConfig net_config{config.model, config.embedding_size, config.l2_norm, config.bn_freeze};
  models::IDMLNet net(net_config, init_gen);
  // Proxies: Kaiming normal, mode fan_out over (C, D): std = sqrt(2 / C).
  Tensor proxies = randn({num_classes, config.embedding_size}, init_gen, 0.0, std::sqrt(2.0 / num_classes));
  if (!config.pretrained.empty())
    std::printf("pretrained: %s\n", models::load_pretrained_backbone(*net.model, config.pretrained).summary().c_str());
  else
    std::printf("pretrained: none (training the backbone from scratch)\n");
  net.to(device);
  proxies = proxies.to(device).set_requires_grad(true);

  std::vector<nn::ParamGroup> groups = net.parameter_groups(config.lr, config.weight_decay);
  groups.push_back({"proxies", {proxies}, config.lr * 100.0, config.weight_decay});
  std::unique_ptr<nn::Optimizer> optimizer = make_optimizer(config, std::move(groups));
  nn::StepLR scheduler(*optimizer, config.lr_decay_step, config.lr_decay_gamma);

  TrainingProgress progress;
  progress.config = to_json(config);
  if (!config.resume.empty()) {
    const nlohmann::json saved_config = progress.config;
    progress = load_training_checkpoint(config.resume, net, proxies, *optimizer);
    progress.config = saved_config;
    // The checkpoint stores learning rates rounded to float32; the schedule is
    // a function of the configuration and the epoch, so restore it exactly.
    for (auto& group : optimizer->param_groups())
      group.initial_lr = group.name == "proxies" ? config.lr * 100.0 : config.lr;
    std::printf("resumed from %s at epoch %lld\n", config.resume.c_str(),
                static_cast<long long>(progress.next_epoch));
  }

  RunLog log(run_directory(config));
  log.write_config(progress.config);
  std::printf("configuration: %s\nlog directory: %s\n", progress.config.dump().c_str(), log.directory().c_str());
  const std::string stem = config.dataset + "_" + config.model;
  const std::string best_path = log.path(stem + "_best.safetensors");
  const std::string last_path = log.path(stem + "_last.safetensors");

  data::TransformOptions transform_options;
  transform_options.image_size = config.image_size;
  transform_options.resize_size = config.resize_size;
  const data::TrainTransform train_transform(transform_options);
  const data::EvalTransform eval_transform(transform_options);
  const EmbedOptions embed_options{config.batch_size, config.workers, device};
  const std::vector<int64_t> recall_ks = recall_ks_for(config.dataset);
  const bool clustering = clustering_enabled(config.clustering, config.dataset);

  auto evaluate_all = [&](int64_t epoch) {
    nlohmann::json record = {{"event", "eval"}, {"epoch", epoch}};
    const auto start = Clock::now();
    const metrics::EvaluationResult eval = evaluate_embeddings(
        compute_embeddings(net, *splits.eval, eval_transform, embed_options), recall_ks, config.seed, clustering);
    record["eval"] = metrics_json(eval);
    std::printf("  eval (unseen classes): %s\n", format_metrics(eval).c_str());
    if (splits.seen) {
      const metrics::EvaluationResult seen = evaluate_embeddings(
          compute_embeddings(net, *splits.seen, eval_transform, embed_options), recall_ks, config.seed, clustering);
      record["seen"] = metrics_json(seen);
      std::printf("  seen (training classes, held-out images): %s\n", format_metrics(seen).c_str());
    }
    record["seconds"] = seconds_since(start);
    std::fflush(stdout);
    return std::make_pair(eval, record);
  };

  if (config.eval_before_training && progress.next_epoch == 0) {
    std::printf("before training:\n");
    log.append(evaluate_all(-1).second);
  }

  StepOptions step_options;
  step_options.loss.alpha = config.alpha;
  step_options.loss.margin = config.margin;
  step_options.loss.metric = parse_metric(config.metric);
  step_options.clip_value = config.clip_value;

  for (int64_t epoch = progress.next_epoch; epoch < config.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    scheduler.set_epoch(epoch);
    apply_trainable_state(net, proxies, epoch, config.warm);
    net.train();
    data::LoaderOptions loader_options;
    loader_options.threads = config.workers;
    loader_options.seed = config.seed;
    loader_options.epoch = static_cast<uint64_t>(epoch);
    data::DataLoader loader(*splits.train, train_transform,
                            data::epoch_batches(*splits.train, true, config.batch_size, config.images_per_class,
                                                config.seed, epoch),
                            loader_options);
    Generator step_gen(epoch_seed(config.seed, epoch));
    ProgressBar bar(epoch, config.epochs, static_cast<int64_t>(loader.num_batches()));
    double loss_sum = 0;
    int64_t steps = 0, images = 0;
    data::Batch batch;
    while (loader.next(batch)) {
      const data::BatchTensors tensors = data::to_tensors(batch, device);
      StepResult step;
      try {
        step = mixup_train_step(net, proxies, *optimizer, tensors.images, tensors.labels, step_gen, step_options);
      } catch (const NonFiniteLoss& e) {
        bar.finish();
        log.append({{"event", "stopped"}, {"epoch", epoch}, {"step", steps}, {"reason", e.what()}});
        throw Error("training stopped at epoch " + std::to_string(epoch) + ", step " + std::to_string(steps) + ": " +
                    e.what() + ". The last good checkpoint is " +
                    (progress.next_epoch > 0 || epoch > 0 ? last_path : std::string("(none yet)")));
      }
      loss_sum += step.loss;
      images += batch.size;
      ++steps;
      bar.update(steps, loss_sum / steps, images / seconds_since(epoch_start));
    }
    bar.finish();
    const double train_seconds = seconds_since(epoch_start);
    nlohmann::json record = {{"event", "epoch"},
                             {"epoch", epoch},
                             {"loss", steps ? loss_sum / steps : 0.0},
                             {"lr", optimizer->param_groups()[0].lr},
                             {"images_per_second", images / train_seconds},
                             {"train_seconds", train_seconds}};
    std::printf("epoch %lld/%lld: loss %.4f, lr %g, %.1f img/s, %.1f s\n", static_cast<long long>(epoch + 1),
                static_cast<long long>(config.epochs), steps ? loss_sum / steps : 0.0,
                optimizer->param_groups()[0].lr, images / train_seconds, train_seconds);

    if ((epoch + 1) % config.eval_every == 0 || epoch + 1 == config.epochs) {
      auto [eval, eval_record] = evaluate_all(epoch);
      record["eval"] = eval_record["eval"];
      if (eval_record.contains("seen")) record["seen"] = eval_record["seen"];
      record["eval_seconds"] = eval_record["seconds"];
      const double r1 = eval.get("R@1");
      if (r1 > progress.best.recall_at_1) {
        progress.best = {epoch, r1, metrics_json(eval)};
        save_model_checkpoint(best_path, net, proxies, epoch, progress.config, progress.best.metrics);
        std::vector<std::pair<int64_t, double>> recalls;
        for (int64_t k : recall_ks) recalls.push_back({k, eval.get("R@" + std::to_string(k))});
        log.write_best_results(stem + "_best_results.txt", epoch, recalls);
        std::printf("  new best R@1 %.2f: saved %s\n", 100 * r1, best_path.c_str());
      }
    }
    progress.next_epoch = epoch + 1;
    save_training_checkpoint(last_path, net, proxies, *optimizer, progress);
    record["seconds"] = seconds_since(epoch_start);
    log.append(record);
    std::fflush(stdout);
  }
  return {log.directory(), progress.best.epoch, progress.best.recall_at_1, seconds_since(run_start)};
}

}  // namespace idml::train
