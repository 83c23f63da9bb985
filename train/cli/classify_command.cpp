// `idml classify train|eval`: the image classification task of docs/METHOD.md#10-classification
// (ISM logits, CutMix and Mixup; CIFAR, ImageNet, Fashion-MNIST; PyramidNet
// and ResNet). See train/classify/classify_config.h for what each flag sets.
#include <cstdio>
#include <functional>

#include <nlohmann/json.hpp>

#include "data/classification_datasets.h"
#include "nn/weights/safetensors.h"
#include "train/classify/classification_run.h"
#include "train/cli/commands.h"
#include "train/run_setup.h"

namespace idml::cli {

namespace {

void add_classify_train(CLI::App& parent, int& exit_code) {
  auto* cmd = parent.add_subcommand("train", "Train a classifier (recipes of docs/METHOD.md#10-classification: see README)");
  auto config = std::make_shared<train::classify::ClassifyConfig>();
  auto& c = *config;
  cmd->add_option("--dataset", c.dataset, "cifar10 | cifar100 | imagenet | fashion-mnist")->capture_default_str();
  cmd->add_option("--data-root", c.data_root, "folder holding the dataset (fashion-mnist: default Debian's install)");
  cmd->add_option("--per-class-cap", c.per_class_cap, "at most N images per class in each split (0: all)");
  cmd->add_option("--batch-size", c.batch_size, "images per step")->capture_default_str();
  cmd->add_option("--workers", c.workers, "data loader threads")->capture_default_str();
  cmd->add_option("--model,--net_type", c.model, "pyramidnet | resnet18 | resnet34 | resnet50 | resnet101")
      ->capture_default_str();
  cmd->add_option("--depth", c.depth, "PyramidNet depth (9 n + 2 bottleneck, 6 n + 2 basic)")->capture_default_str();
  cmd->add_option("--alpha", c.alpha, "PyramidNet widening factor")->capture_default_str();
  cmd->add_option("--bottleneck", c.bottleneck, "PyramidNet: 1 bottleneck blocks, 0 basic")->capture_default_str();
  cmd->add_option("--ism", c.ism, "1: train on the ISM logits z' (ISM-Baseline / IDML-*), 0: plain logits")
      ->capture_default_str();
  cmd->add_option("--mix", c.mix, "none | mixup | cutmix")->capture_default_str();
  cmd->add_option("--beta", c.beta, "lam ~ Beta(beta, beta); 0: no mixing")->capture_default_str();
  cmd->add_option("--cutmix-prob,--cutmix_prob", c.cutmix_prob, "probability of a CutMix step")->capture_default_str();
  cmd->add_option("--lr", c.lr, "learning rate (SGD, momentum 0.9, Nesterov)")->capture_default_str();
  cmd->add_option("--weight-decay,--wd", c.weight_decay, "weight decay")->capture_default_str();
  cmd->add_option("--lr-schedule", c.lr_schedule,
                  "auto | cifar (x0.1 at 50% and 75% of the epochs) | imagenet (x0.1 every 30, every 75 of 300)")
      ->capture_default_str();
  cmd->add_option("--epochs", c.epochs, "epochs")->capture_default_str();
  cmd->add_option("--seed", c.seed, "random seed")->capture_default_str();
  cmd->add_option("--eval-every", c.eval_every, "evaluate every N epochs (and after the last)")->capture_default_str();
  cmd->add_option("--device", c.device, "cpu | cuda")->capture_default_str();
  cmd->add_option("--gpu-id", c.gpu_id, "CUDA device index (with --device cuda)")->capture_default_str();
  cmd->add_option("--threads", c.threads, "engine threads (0: all cores)")->capture_default_str();
  cmd->add_option("--log-dir", c.log_dir, "where run directories go")->capture_default_str();
  cmd->add_option("--remark", c.remark, "suffix of the run directory name");
  cmd->add_option("--resume", c.resume, "continue a run from its *_last.safetensors checkpoint");
  cmd->callback([cmd, config, &exit_code] {
    train::classify::ClassifyConfig run = *config;
    if (!run.resume.empty()) {
      // A resumed run keeps its recipe; only where and how it runs may change.
      auto saved = train::classify::classify_config_from_json(train::classify::read_classifier_config(run.resume));
      const std::vector<std::pair<const char*, std::function<void()>>> overridable = {
          {"--workers", [&] { saved.workers = run.workers; }}, {"--threads", [&] { saved.threads = run.threads; }},
          {"--device", [&] { saved.device = run.device; }},    {"--gpu-id", [&] { saved.gpu_id = run.gpu_id; }},
          {"--data-root", [&] { saved.data_root = run.data_root; }},
          {"--eval-every", [&] { saved.eval_every = run.eval_every; }},
          {"--log-dir", [&] { saved.log_dir = run.log_dir; }}};
      for (const auto& [flag, apply] : overridable)
        if (cmd->count(flag) > 0) apply();
      saved.resume = run.resume;
      run = saved;
    }
    const auto summary = train::classify::ClassificationRun(run).run();
    // Epochs counted from 1, as the progress lines ("epoch 1/300") count them.
    std::printf("done in %.1f s; best top-1 error %.2f%% (top-5 %.2f%%) at epoch %lld; run directory %s\n",
                summary.seconds, 100 * summary.best_top1_error, 100 * summary.best_top5_error,
                static_cast<long long>(summary.best_epoch + 1), summary.run_directory.c_str());
    exit_code = 0;
  });
}

struct ClassifyEvalArguments {
  std::string checkpoint, data_root, device = "cpu";
  int workers = 2, gpu_id = 0;
  int64_t batch_size = 100;
  bool json = false;
};

void add_classify_eval(CLI::App& parent, int& exit_code) {
  auto* cmd = parent.add_subcommand("eval", "Top-1 / top-5 error of a classification checkpoint on the val split");
  auto args = std::make_shared<ClassifyEvalArguments>();
  cmd->add_option("--checkpoint", args->checkpoint, "a *_best or *_last.safetensors of `classify train`")->required();
  cmd->add_option("--data-root", args->data_root, "folder holding the dataset (default: the one it was trained on)");
  cmd->add_option("--batch-size", args->batch_size, "images per forward pass")->capture_default_str();
  cmd->add_option("--workers", args->workers, "data loader threads")->capture_default_str();
  cmd->add_option("--device", args->device, "cpu | cuda")->capture_default_str();
  cmd->add_option("--gpu-id", args->gpu_id, "CUDA device index");
  cmd->add_flag("--json", args->json, "print one JSON object");
  cmd->callback([cmd, args, &exit_code] {
    auto config = train::classify::classify_config_from_json(train::classify::read_classifier_config(args->checkpoint));
    if (cmd->count("--data-root") > 0) config.data_root = args->data_root;
    config.per_class_cap = 0;  // the whole val split
    const auto split = train::classify::open_split(config, data::Split::Eval);
    weights::Metadata unused;
    // The class count is the checkpoint's: the fc layer's rows.
    const weights::StateDict dict = weights::load_safetensors(args->checkpoint, &unused);
    const auto fc = dict.find("fc.weight");
    IDML_CHECK(fc != dict.end() && fc->second.dim() == 2, args->checkpoint, ": no 2-d fc.weight");
    auto net = train::classify::build_classifier(config, fc->second.size(0));
    train::classify::load_classifier_weights(args->checkpoint, net->module());
    const Device device = train::resolve_device(args->device, args->gpu_id);
    net->module().to(device);
    const auto transform = train::classify::eval_transform_for(config);
    const auto errors = train::classify::evaluate_classifier(*net, *split, *transform,
                                                             {args->batch_size, args->workers, device});
    if (args->json) {
      std::printf("%s\n", nlohmann::json{{"top1_error", errors.top1}, {"top5_error", errors.top5},
                                         {"images", errors.images}}.dump().c_str());
    } else {
      std::printf("%s val: top-1 error %.2f%%, top-5 error %.2f%% (%lld images)\n", config.dataset.c_str(),
                  100 * errors.top1, 100 * errors.top5, static_cast<long long>(errors.images));
    }
    exit_code = 0;
  });
}

}  // namespace

void add_classify_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("classify", "Image classification with ISM logits, CutMix and Mixup (docs/METHOD.md#10-classification)");
  cmd->require_subcommand(1);
  add_classify_train(*cmd, exit_code);
  add_classify_eval(*cmd, exit_code);
}

}  // namespace idml::cli
