// `idml train`: the reference's flags (train.py of the Proxy-Anchor / IDML
// code) plus ours; see train/train_config.h for what each one sets.
#include <cstdio>
#include <functional>

#include "train/checkpoint.h"
#include "train/interrupt.h"
#include "train/cli/commands.h"
#include "train/cli/launch.h"
#include "train/trainer.h"

namespace idml::cli {

void add_train_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("train", "Train an IDML model (SPEC recipes: see README)");
  auto config = std::make_shared<train::TrainConfig>();
  train::TrainConfig& c = *config;
  cmd->add_option("--dataset", c.dataset, "cub | cars | SOP | folder | fashion-mnist")->capture_default_str();
  cmd->add_option("--data-root", c.data_root, "folder holding the dataset (fashion-mnist: default Debian's install)");
  cmd->add_option("--train-classes", c.train_classes, "folder: classes in the train split (default: first half)");
  cmd->add_option("--per-class-cap", c.per_class_cap, "fashion-mnist: at most N images per class in every split");
  cmd->add_option("--embedding-size,--sz-embedding", c.embedding_size, "embedding size D")->capture_default_str();
  cmd->add_option("--batch-size,--sz-batch", c.batch_size, "images per step")->capture_default_str();
  cmd->add_option("--epochs,--nb-epochs", c.epochs, "epochs")->capture_default_str();
  cmd->add_option("--gpu-id,--gpu", c.gpu_id, "CUDA device index; -1: every visible GPU (one rank each)")->capture_default_str();
  cmd->add_option("--workers,--nb-workers", c.workers, "data loader threads")->capture_default_str();
  cmd->add_option("--model", c.model, "resnet18 | resnet34 | resnet50 | resnet101")->capture_default_str();
  cmd->add_option("--loss", c.loss, "Proxy_Anchor")->capture_default_str();
  cmd->add_option("--optimizer", c.optimizer, "adamw | adam | sgd | rmsprop")->capture_default_str();
  cmd->add_option("--lr", c.lr, "learning rate (proxies: x100)")->capture_default_str();
  cmd->add_option("--weight-decay", c.weight_decay, "weight decay")->capture_default_str();
  cmd->add_option("--lr-decay-step", c.lr_decay_step, "StepLR step, in epochs")->capture_default_str();
  cmd->add_option("--lr-decay-gamma", c.lr_decay_gamma, "StepLR gamma")->capture_default_str();
  cmd->add_option("--alpha", c.alpha, "Proxy-Anchor alpha")->capture_default_str();
  cmd->add_option("--mrg", c.margin, "Proxy-Anchor margin")->capture_default_str();
  cmd->add_option("--IPC", c.images_per_class, "balanced sampling: images per class in a batch (0: off)");
  cmd->add_option("--warm", c.warm, "warm-up epochs (only the embedding and proxies train)")->capture_default_str();
  cmd->add_option("--bn-freeze", c.bn_freeze, "1: BatchNorm in inference mode, affine frozen")->capture_default_str();
  cmd->add_option("--l2-norm", c.l2_norm, "1: l2-normalise both embeddings")->capture_default_str();
  cmd->add_option("--remark", c.remark, "suffix of the log directory name");
  cmd->add_option("--LOG_DIR,--log-dir", c.log_dir, "where run directories go")->capture_default_str();
  cmd->add_option("--pretrained", c.pretrained,
                  "ImageNet backbone weights (.pth or .safetensors), or none; required for cub, cars, SOP");
  cmd->add_option("--seed", c.seed, "random seed")->capture_default_str();
  cmd->add_option("--image-size", c.image_size, "training/eval crop size")->capture_default_str();
  cmd->add_option("--resize-size", c.resize_size, "eval: shorter side before the centre crop")->capture_default_str();
  cmd->add_option("--metric", c.metric, "ism | cosine (plain Proxy-Anchor)")->capture_default_str();
  cmd->add_option("--eval-every", c.eval_every, "evaluate every N epochs (and after the last)")->capture_default_str();
  cmd->add_option("--clustering", c.clustering, "NMI and F1 by k-means: auto (off for SOP on a CPU) | on | off")
      ->capture_default_str();
  cmd->add_option("--kmeans-restarts", c.kmeans_restarts, "k-means restarts for NMI/F1")->capture_default_str();
  cmd->add_option("--kmeans-max-iterations", c.kmeans_max_iterations, "Lloyd iterations per restart at most")
      ->capture_default_str();
  cmd->add_flag("--eval-before", c.eval_before_training, "also evaluate before the first epoch");
  cmd->add_option("--clip", c.clip_value, "clip every gradient element to [-clip, clip]")->capture_default_str();
  cmd->add_option("--resume", c.resume, "continue a run from its *_last.safetensors checkpoint");
  cmd->add_option("--device", c.device, "cpu | cuda")->capture_default_str();
  cmd->add_option("--threads", c.threads, "engine threads (0: all cores)")->capture_default_str();
  cmd->add_option("--report", c.report, "1: write report.html in the run directory after every evaluation")
      ->capture_default_str();

  cmd->callback([cmd, config, &exit_code] {
    train::TrainConfig run = *config;
    run.command_line = command_line();
    if (!run.resume.empty()) {
      // A resumed run keeps its recipe; only where and how long it runs may change.
      train::TrainConfig saved = train::config_from_json(train::read_checkpoint_config(run.resume));
      const std::vector<std::pair<const char*, std::function<void()>>> overridable = {
          {"--epochs", [&] { saved.epochs = run.epochs; }},
          {"--workers", [&] { saved.workers = run.workers; }},
          {"--threads", [&] { saved.threads = run.threads; }},
          {"--device", [&] { saved.device = run.device; }},
          {"--gpu-id", [&] { saved.gpu_id = run.gpu_id; }},
          {"--data-root", [&] { saved.data_root = run.data_root; }},
          {"--eval-every", [&] { saved.eval_every = run.eval_every; }},
          {"--clustering", [&] { saved.clustering = run.clustering; }},
          {"--kmeans-restarts", [&] { saved.kmeans_restarts = run.kmeans_restarts; }},
          {"--kmeans-max-iterations", [&] { saved.kmeans_max_iterations = run.kmeans_max_iterations; }},
          {"--LOG_DIR", [&] { saved.log_dir = run.log_dir; }},
          {"--report", [&] { saved.report = run.report; }}};
      for (const auto& [flag, apply] : overridable)
        if (cmd->count(flag) > 0) apply();
      saved.resume = run.resume;
      saved.command_line = run.command_line;
      run = saved;
    }
    if (run.device == "cuda" && run.gpu_id < 0) relaunch_on_every_gpu();  // one rank per visible GPU
    train::TrainSummary summary;
    try {
      summary = train::run_training(run);
    } catch (const train::TrainingInterrupted& e) {
      std::fprintf(stderr, "idml: %s\n", e.what());
      exit_code = train::kInterruptedExitStatus;
      return;
    }
    std::printf("done in %.1f s; best R@1 %.2f at epoch %lld; run directory %s\n", summary.seconds,
                100.0 * summary.best_recall_at_1, static_cast<long long>(summary.best_epoch),
                summary.run_directory.c_str());
    exit_code = 0;
  });
}

}  // namespace idml::cli
