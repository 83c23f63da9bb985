// Option helpers shared by the subcommands: an enum flag parsed by a CLI11
// transformer from its names (train/config_enums.h), and the --device /
// --gpu-id pair of train, eval, embed, search, bench and metrics.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "engine/device.h"
#include "train/config_enums.h"

namespace idml::cli {

// Maps a value's name to the enum's number for CLI11; any other text fails
// with "FLAG: expected a, b or c, got 'TEXT'".
template <typename E>
CLI::Validator choice_transformer(const std::string& flag) {
  return CLI::Validator(
      [flag](std::string& input) -> std::string {
        for (const auto& [value, name] : train::choices<E>())
          if (name == input) {
            input = std::to_string(static_cast<int>(value));
            return "";
          }
        // CLI11 puts the option's name in front of what is returned
        return train::choice_error(flag, train::choice_list<E>(), input).substr(flag.size() + 2);
      },
      "");
}

// Whether the help shows an option's default value.
enum class HelpDefault { shown, hidden };

template <typename E>
CLI::Option* add_choice_option(CLI::App& cmd, const std::string& flags, E& value, const std::string& help,
                               HelpDefault help_default = HelpDefault::shown) {
  const std::string flag = flags.substr(0, flags.find(','));
  CLI::Option* option = cmd.add_option(flags, value, help)->transform(choice_transformer<E>(flag))->type_name("TEXT");
  if (help_default == HelpDefault::shown) option->default_str(train::choice_name(value));
  return option;
}

// --device cpu|cuda and --gpu-id,--gpu N into `kind` and `gpu_id`.
void add_device_options(CLI::App& cmd, DeviceKind& kind, int& gpu_id,
                        const std::string& gpu_help = "CUDA device index");

struct DeviceChoice {
  DeviceKind kind = DeviceKind::CPU;
  int gpu_id = 0;
  void add_to(CLI::App& cmd) { add_device_options(cmd, kind, gpu_id); }
  // The device; a clear error when CUDA is asked for and absent.
  Device resolve() const;
};

}  // namespace idml::cli
