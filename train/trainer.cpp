// TrainingRun: the steps of `idml train`, each short; the loop in run() reads as the algorithm.
#include "train/trainer.h"

#include <omp.h>

#include <chrono>
#include <cstdio>
#include <optional>

#include "data/batch_tensors.h"
#include "engine/accelerator.h"
#include "data/dataset_catalog.h"
#include "data/loader.h"
#include "models/pretrained.h"
#include "train/freezing.h"
#include "train/interrupt.h"
#include "train/mixup_step.h"
#include "train/parameter_groups.h"
#include "train/progress_bar.h"
#include "train/report/run_report.h"
#include "train/run_setup.h"
#include "train/stopwatch.h"

namespace idml::train {

namespace {

nlohmann::json metrics_json(const metrics::EvaluationResult& result) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : result.metrics) out[name] = value;
  return out;
}

}  // namespace

TrainingRun::TrainingRun(const TrainConfig& config, distributed::Communicator& comm)
    : config_(config), comm_(comm), device_(Device::cpu()) {
  validate(config_);
  if (comm_.size() > 1) data_parallel_ = std::make_unique<DataParallel>(comm_, config_.batch_size);
  if (config_.threads > 0) omp_set_num_threads(config_.threads);
  // One GPU per rank of a machine: --gpu-id -1, or any run on several ranks, takes the local rank's
  // (local rank % visible GPUs, run_setup.h); every rank prints its mapping on stderr.
  const bool local_rank_gpu = config_.gpu_id < 0 || comm_.size() > 1;
  const bool cuda = config_.device == DeviceKind::CUDA;
  const bool mapped = cuda && local_rank_gpu && cuda_device_count() > 0;  // without a GPU resolve_device says why
  const int gpu = mapped ? gpu_for_local_rank(comm_.local_rank(), cuda_device_count()) : config_.gpu_id;
  device_ = resolve_device(config_.device, gpu);
  if (mapped)
    std::fprintf(stderr, "idml: rank %d of %d (local rank %d of %d): %s of %d visible GPU(s)\n", comm_.rank(),
                 comm_.size(), comm_.local_rank(), comm_.local_size(), device_.str().c_str(), cuda_device_count());
  if (comm_.size() > 1)
    std::printf("data parallel: %d ranks (%s), %lld images per rank and step\n", comm_.size(),
                comm_.transport().c_str(), static_cast<long long>(data_parallel_->shard_rows()));
  open_data();
  build_model();
  progress_.config = to_json(config_);
  if (!config_.resume.empty()) resume();

  directory_ = run_directory(config_);
  if (is_root()) {
    log_ = std::make_unique<RunLog>(directory_);
    if (const int stale = log_->remove_stale_temporaries())
      std::printf("removed %d stale *.tmp file(s) of an interrupted run in %s\n", stale, log_->directory().c_str());
    log_->write_config(progress_.config, device_);
    directory_ = log_->directory();
  }
  std::printf("configuration: %s\nlog directory: %s\n", progress_.config.dump().c_str(), directory_.c_str());
  stem_ = std::string(data::dataset_name(config_.dataset)) + "_" + config_.model;
  best_path_ = directory_ + "/" + stem_ + "_best.safetensors";
  last_path_ = directory_ + "/" + stem_ + "_last.safetensors";
  complete_log();
}

void TrainingRun::complete_log() {
  // The checkpoint is written before its epoch's line; a run that died (or hit
  // a full disk) between the two left the line out, and it is written now.
  const int64_t epoch = progress_.next_epoch - 1;
  if (!log_ || epoch < 0 || !progress_.epoch_record.is_object() || log_->has_epoch_line(epoch)) return;
  log_->append(progress_.epoch_record);
  std::printf("metrics.jsonl: wrote the missing line of epoch %lld from the checkpoint\n",
              static_cast<long long>(epoch));
}

bool TrainingRun::stop_agreed() {
  if (!data_parallel_) return stop_requested();
  // One byte per rank: every rank sees the same answer, so all stop after the same step.
  const std::vector<char> mine{static_cast<char>(stop_requested())};
  for (const std::vector<char>& flag : comm_.all_gather_bytes(mine))
    if (!flag.empty() && flag[0]) return true;
  return false;
}

void TrainingRun::stop_for_signal(int64_t epoch, int64_t total_steps) {
  if (is_root()) save_training_checkpoint(last_path_, *net_, *loss_, *optimizer_, progress_);
  const std::string where = total_steps > 0 ? detail::concat("epoch ", epoch + 1, "/", config_.epochs, ", step ",
                                                             progress_.mid_epoch.steps, " of ", total_steps)
                                            : detail::concat("before epoch ", epoch + 1, "/", config_.epochs);
  throw TrainingInterrupted(detail::concat("interrupted at ", where, "; saved ", last_path_,
                                           "\nresume with: idml train --resume ", last_path_));
}

void TrainingRun::open_data() {
  data::DatasetOptions options;
  const data::DatasetInfo& dataset = data::dataset_info(config_.dataset);
  options.name = dataset.name;
  options.root = config_.data_root;
  options.train_classes = config_.train_classes;
  options.per_class_cap = config_.per_class_cap;
  options.split = data::Split::Train;
  train_set_ = data::open_dataset(options);
  eval_ = open_eval_splits(options);
  if (data::has_split(dataset, data::Split::Seen)) {
    options.split = data::Split::Seen;
    seen_set_ = data::open_dataset(options);
  }
  std::printf("data: %s train %zu images / %zu classes, %s", dataset.name, train_set_->size(),
              train_set_->num_classes(), describe(eval_).c_str());
  if (seen_set_) std::printf(", seen %zu images", seen_set_->size());
  std::printf("\n");
  IDML_CHECK(train_set_->size() >= static_cast<size_t>(config_.batch_size), "--batch-size ", config_.batch_size,
             " is larger than the training split (", train_set_->size(), " images)");

  data::TransformOptions transform_options;
  transform_options.image_size = config_.image_size;
  transform_options.resize_size = config_.resize_size;
  train_transform_ = std::make_unique<data::TrainTransform>(transform_options);
  eval_transform_ = std::make_unique<data::EvalTransform>(transform_options);
}

void TrainingRun::build_model() {
  Generator init_gen(config_.seed);  // the network first, then the proxies, from one stream
  net_ = std::make_unique<models::IDMLNet>(
      models::IDMLNetConfig{config_.model, config_.embedding_size, config_.l2_norm, config_.bn_freeze}, init_gen);
  CriterionOptions loss_options;
  loss_options.alpha = config_.alpha;
  loss_options.margin = config_.margin;
  loss_options.similarity.metric = config_.metric;
  loss_ = make_criterion(config_.loss, static_cast<int64_t>(train_set_->num_classes()), config_.embedding_size,
                         loss_options, init_gen);
  if (!config_.pretrained.empty())
    std::printf("pretrained: %s\n",
                models::load_pretrained_backbone(*net_->model, config_.pretrained).summary().c_str());
  else
    std::printf("pretrained: none (training the backbone from scratch)\n");
  net_->to(device_);
  loss_->to(device_);
  optimizer_ = make_optimizer(config_.optimizer, idml_parameter_groups(*net_, *loss_, config_.lr, config_.weight_decay,
                                                                      config_.proxy_lr_scale));
  scheduler_ = std::make_unique<nn::StepLR>(*optimizer_, config_.lr_decay_step, config_.lr_decay_gamma);
}

void TrainingRun::resume() {
  const nlohmann::json this_config = progress_.config;
  progress_ = load_training_checkpoint(config_.resume, *net_, *loss_, *optimizer_);
  progress_.config = this_config;
  std::printf("resumed from %s at epoch %lld\n", config_.resume.c_str(), static_cast<long long>(progress_.next_epoch));
}

TrainingRun::EpochStats TrainingRun::train_epoch(int64_t epoch) {
  const auto start_time = Clock::now();
  scheduler_->set_epoch(epoch);
  apply_trainable_state(*net_, *loss_, epoch, config_.warm, config_.proxy_lr_scale);
  net_->train();
  // Resuming inside this epoch (a Ctrl-C checkpoint): skip the batches done.
  const MidEpoch start = epoch == progress_.next_epoch ? progress_.mid_epoch : MidEpoch{};
  Generator step_gen(epoch_seed(config_.seed, epoch));
  const std::unique_ptr<data::DataLoader> loader = epoch_loader(epoch, step_gen, static_cast<size_t>(start.steps));
  // One device draws lam and perm step by step; data parallelism drew them all in epoch_loader.
  if (start.steps > 0 && !data_parallel_) step_gen.set_state(start.step_rng);
  std::optional<ProgressBar> bar;
  if (is_root()) bar.emplace(epoch, config_.epochs, static_cast<int64_t>(loader->num_batches()));
  EpochStats stats;
  stats.steps = start.steps;
  stats.images = start.images;
  double loss_sum = start.loss_sum;
  data::Batch batch;
  while (loader->next(batch)) {
    StepResult step;
    try {
      step = train_step(batch, stats.steps, step_gen);
    } catch (const NonFiniteLoss& e) {
      if (bar) bar->finish();
      if (log_) log_->append({{"event", "stopped"}, {"epoch", epoch}, {"step", stats.steps}, {"reason", e.what()}});
      throw Error("training stopped at epoch " + std::to_string(epoch) + ", step " + std::to_string(stats.steps) +
                  ": " + e.what() + ". The last good checkpoint is " +
                  (progress_.next_epoch > 0 ? last_path_ : std::string("(none yet)")));
    }
    loss_sum += step.loss;
    stats.images += config_.batch_size;
    ++stats.steps;
    if (bar) bar->update(stats.steps, loss_sum / stats.steps, stats.images / seconds_since(start_time));
    if (stop_agreed() && stats.steps < static_cast<int64_t>(loader->num_batches())) {
      if (bar) bar->finish();
      progress_.mid_epoch = {stats.steps, stats.images, loss_sum, step_gen.state()};
      stop_for_signal(epoch, static_cast<int64_t>(loader->num_batches()));
    }
  }
  if (bar) bar->finish();
  if (data_parallel_) {
    data_parallel_->adopt_rank0_buffers(*net_);
    data_parallel_->check_replicas_equal(*net_, *loss_, *optimizer_);
    stats.communication_seconds = data_parallel_->take_communication_seconds();
  }
  stats.mean_loss = stats.steps ? loss_sum / stats.steps : 0.0;
  stats.seconds = seconds_since(start_time);
  return stats;
}

// One device: the loader of whole batches; N ranks: this rank's shards (data_parallel.h).
// Either starts at `first_batch` (resuming inside the epoch).
std::unique_ptr<data::DataLoader> TrainingRun::epoch_loader(int64_t epoch, Generator& step_gen, size_t first_batch) {
  data::LoaderOptions options;
  options.threads = config_.workers;
  options.seed = config_.seed;
  options.epoch = static_cast<uint64_t>(epoch);
  options.first_batch = first_batch;
  data::BatchList batches =
      data::epoch_batches(*train_set_, data::EpochFor::training, config_.batch_size, config_.images_per_class,
                          config_.seed, epoch);
  if (data_parallel_) return data_parallel_->epoch_loader(*train_set_, *train_transform_, batches, step_gen, options);
  return std::make_unique<data::DataLoader>(*train_set_, *train_transform_, std::move(batches), options);
}

StepResult TrainingRun::train_step(const data::Batch& batch, int64_t step, Generator& step_gen) {
  StepOptions options;
  options.clip_value = config_.clip_value;
  if (data_parallel_) return data_parallel_->step(*net_, *loss_, *optimizer_, batch, step, device_, options);
  const data::BatchTensors tensors = data::to_tensors(batch, device_);
  return mixup_train_step(*net_, *loss_, *optimizer_, tensors.images, tensors.labels, step_gen, options);
}

TrainingRun::Evaluation TrainingRun::evaluate(int64_t epoch) {
  const auto start = Clock::now();
  const EmbedOptions embed_options{config_.batch_size, config_.workers, device_};
  const metrics::EvaluationOptions options = evaluation_options(config_, device_);
  auto embed = [&](const data::Dataset& split) {
    return data_parallel_ ? data_parallel_->embed(*net_, split, *eval_transform_, embed_options)
                          : compute_embeddings(*net_, split, *eval_transform_, embed_options);
  };
  Evaluation out;
  out.record = {{"event", "eval"}, {"epoch", epoch}};
  out.eval = evaluate_splits(eval_, embed, options);
  out.record["eval"] = metrics_json(out.eval);
  std::printf("  eval (unseen classes%s): %s\n", eval_.gallery ? ", queries among the gallery" : "",
              format_metrics(out.eval).c_str());
  if (seen_set_) {
    const metrics::EvaluationResult seen = evaluate_embeddings(embed(*seen_set_), options);
    out.record["seen"] = metrics_json(seen);
    std::printf("  seen (training classes, held-out images): %s\n", format_metrics(seen).c_str());
  }
  out.record["seconds"] = seconds_since(start);
  std::fflush(stdout);
  return out;
}

void TrainingRun::keep_if_best(int64_t epoch, const metrics::EvaluationResult& eval) {
  const double r1 = eval.get("R@1");
  if (r1 <= progress_.best.recall_at_1) return;
  progress_.best = {epoch, r1, metrics_json(eval)};
  if (!is_root()) return;
  save_model_checkpoint(best_path_, *net_, *loss_, epoch, progress_.config, progress_.best.metrics);
  std::vector<std::pair<int64_t, double>> recalls;
  for (int64_t k : recall_ks_for(config_.dataset)) recalls.push_back({k, eval.get("R@" + std::to_string(k))});
  log_->write_best_results(stem_ + "_best_results.txt", epoch, recalls);
  std::printf("  new best R@1 %.2f: saved %s\n", 100 * r1, best_path_.c_str());
}

void TrainingRun::save(int64_t epoch, nlohmann::json record) {
  progress_.next_epoch = epoch + 1;
  progress_.mid_epoch = {};
  progress_.epoch_record = record;  // in the checkpoint first: the line can be completed on resume
  if (!is_root()) return;
  save_training_checkpoint(last_path_, *net_, *loss_, *optimizer_, progress_);
  log_->append(record);
  std::fflush(stdout);
}

bool TrainingRun::evaluates_after(int64_t epoch) const {
  return (epoch + 1) % config_.eval_every == 0 || epoch + 1 == config_.epochs;
}

void TrainingRun::write_report() const {
  if (!config_.report || !log_) return;  // rank 0 writes it
  report::ReportOptions options;
  options.seed = config_.seed;
  options.batch_size = config_.batch_size;
  options.workers = config_.workers;
  options.device = device_;
  try {
    std::printf("  report: %s\n", report::write_run_report(log_->directory(), options).c_str());
  } catch (const Error& e) {
    std::fprintf(stderr, "warning: report.html not written: %s\n", e.what());
  }
}

TrainSummary TrainingRun::run() {
  const auto run_start = Clock::now();
  const StopOnSignal stop_on_signal;  // Ctrl-C: finish the step, save, throw TrainingInterrupted
  if (config_.eval_before_training && progress_.next_epoch == 0 && progress_.mid_epoch.steps == 0) {
    std::printf("before training:\n");
    const nlohmann::json record = evaluate(-1).record;
    if (log_) log_->append(record);
  }
  for (int64_t epoch = progress_.next_epoch; epoch < config_.epochs; ++epoch) {
    if (stop_agreed()) stop_for_signal(epoch, 0);  // between epochs: the last save is current
    const auto epoch_start = Clock::now();
    const EpochStats stats = train_epoch(epoch);
    const double lr = optimizer_->param_groups()[0].lr;
    nlohmann::json record = {{"event", "epoch"},
                             {"epoch", epoch},
                             {"loss", stats.mean_loss},
                             {"lr", lr},
                             {"images_per_second", stats.images / stats.seconds},
                             {"train_seconds", stats.seconds}};
    if (data_parallel_) {
      record["ranks"] = comm_.size();
      record["communication_seconds"] = stats.communication_seconds;
    }
    std::printf("epoch %lld/%lld: loss %.4f, lr %g, %.1f img/s, %.1f s\n", static_cast<long long>(epoch + 1),
                static_cast<long long>(config_.epochs), stats.mean_loss, lr, stats.images / stats.seconds,
                stats.seconds);
    if (evaluates_after(epoch)) {
      const Evaluation evaluation = evaluate(epoch);
      record["eval"] = evaluation.record["eval"];
      if (evaluation.record.contains("seen")) record["seen"] = evaluation.record["seen"];
      record["eval_seconds"] = evaluation.record["seconds"];
      keep_if_best(epoch, evaluation.eval);
    }
    record["seconds"] = seconds_since(epoch_start);
    save(epoch, std::move(record));
    if (evaluates_after(epoch)) write_report();
  }
  return {directory_, progress_.best.epoch, progress_.best.recall_at_1, seconds_since(run_start)};
}

TrainSummary run_training(const TrainConfig& config) { return TrainingRun(config).run(); }

}  // namespace idml::train
