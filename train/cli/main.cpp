// The `idml` command line: one binary, one subcommand per job. Each
// subcommand lives in its own file under train/cli/ and registers itself here.
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "data/decode.h"
#include "engine/error.h"
#include "train/cli/commands.h"
#include "train/cli/launch.h"

namespace idml::cli {
namespace {
std::string g_command_line;
}
void set_command_line(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    const std::string word = argv[i];
    const bool plain = !word.empty() && word.find_first_not_of(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=.,/:@%") == std::string::npos;
    g_command_line += (i ? " " : "") + (plain ? word : "'" + word + "'");  // quoted so it can be pasted back
  }
}
const std::string& command_line() { return g_command_line; }
}  // namespace idml::cli

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress reaches log files line by line
  CLI::App app{"idml: Introspective Deep Metric Learning (IDML, T-PAMI 2023) on its own tensor engine"};
  app.set_version_flag("--version", std::string("idml ") + IDML_VERSION);
  app.require_subcommand(0, 1);
  app.fallthrough();  // process-wide options below are accepted after the subcommand too
  app.add_option_function<int64_t>("--max-image-pixels", [](int64_t pixels) { idml::data::set_max_image_pixels(pixels); },
                                   "refuse images declaring more pixels (width x height) than this "
                                   "(decompression bombs; default " + std::to_string(idml::data::kDefaultMaxImagePixels) + ")")
      ->trigger_on_parse();
  int exit_code = 0;
  (void)exit_code;  // set by the subcommands' callbacks
  idml::cli::add_train_command(app, exit_code);
  idml::cli::add_eval_command(app, exit_code);
  idml::cli::add_embed_command(app, exit_code);
  idml::cli::add_bench_command(app, exit_code);
  idml::cli::add_classify_command(app, exit_code);
  idml::cli::add_convert_command(app, exit_code);
  idml::cli::add_metrics_command(app, exit_code);
  idml::cli::add_data_command(app, exit_code);
  idml::cli::add_report_command(app, exit_code);
  idml::cli::add_search_command(app, exit_code);
  idml::cli::add_export_command(app, exit_code);
  idml::cli::add_doctor_command(app, exit_code);
  idml::cli::add_serve_command(app, exit_code);
  idml::cli::set_command_line(argc, argv);

  try {
    idml::cli::start_ranks(argc, argv);
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    idml::cli::finish_ranks();
    return app.exit(e);
  } catch (const idml::Error& e) {
    idml::cli::fail(e.what());
  } catch (const std::exception& e) {
    idml::cli::fail(e.what(), "unexpected error");
  }
  if (app.get_subcommands().empty()) std::cout << app.help();
  idml::cli::finish_ranks();  // NCCL and MPI end while the CUDA runtime is still up
  return exit_code;
}
