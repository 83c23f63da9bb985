// `idml train`: the reference's flags (train.py of the Proxy-Anchor / IDML
// code) plus ours; see train/train_config.h for what each one sets.
#include <cstdio>
#include <type_traits>

#include "train/checkpoint.h"
#include "train/interrupt.h"
#include "train/cli/commands.h"
#include "train/cli/launch.h"
#include "train/cli/options.h"
#include "train/trainer.h"

namespace idml::cli {

void add_train_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("train", "Train an IDML model (the paper's recipes: docs/METHOD.md#1-results)");
  auto config = std::make_shared<train::TrainConfig>();
  train::TrainConfig& c = *config;
  // Every flag of the field list (train/train_config.h) but the device pair, added below.
  train::for_each_config_field([cmd](const train::ConfigFieldInfo& field, auto& value) {
    using T = std::decay_t<decltype(value)>;
    using namespace train::ConfigField;
    if (field.traits & (NoCli | OwnCli)) return;
    const bool show_default = field.traits & ShowDefault;
    if constexpr (std::is_enum_v<T>) {
      add_choice_option(*cmd, field.flags, value, field.help, show_default ? HelpDefault::shown : HelpDefault::hidden);
    } else if (field.traits & Switch) {
      if constexpr (std::is_same_v<T, bool>) cmd->add_flag(field.flags, value, field.help);
    } else {
      CLI::Option* option = cmd->add_option(field.flags, value, field.help);
      if (show_default) option->capture_default_str();
    }
  }, c);
  add_device_options(*cmd, c.device, c.gpu_id, "CUDA device index; -1: every visible GPU (one rank each)");

  cmd->callback([cmd, config, &exit_code] {
    train::TrainConfig run = *config;
    run.command_line = command_line();
    if (!run.resume.empty()) {
      // A resumed run keeps its recipe; only where and how long it runs may change.
      train::TrainConfig saved = train::config_from_json(train::read_checkpoint_config(run.resume));
      train::for_each_config_field(
          [cmd](const train::ConfigFieldInfo& field, auto& saved_value, const auto& given) {
            if ((field.traits & train::ConfigField::Resumable) && cmd->count(train::primary_flag(field)) > 0)
              saved_value = given;
          },
          saved, run);
      saved.resume = run.resume;
      saved.command_line = run.command_line;
      run = saved;
    }
    if (run.device == DeviceKind::CUDA && run.gpu_id < 0) relaunch_on_every_gpu();  // one rank per visible GPU
    train::TrainSummary summary;
    try {
      summary = train::run_training(run);
    } catch (const train::TrainingInterrupted& e) {
      std::fprintf(stderr, "idml: %s\n", e.what());
      exit_code = train::kInterruptedExitStatus;
      return;
    }
    // Epochs counted from 1, as the progress lines ("epoch 1/60") and the report count them.
    if (summary.best_epoch >= 0)
      std::printf("done in %.1f s; best R@1 %.2f at epoch %lld; run directory %s\n", summary.seconds,
                  100.0 * summary.best_recall_at_1, static_cast<long long>(summary.best_epoch + 1),
                  summary.run_directory.c_str());
    else
      std::printf("done in %.1f s; no evaluation had an R@1 above 0; run directory %s\n", summary.seconds,
                  summary.run_directory.c_str());
    exit_code = 0;
  });
}

}  // namespace idml::cli
