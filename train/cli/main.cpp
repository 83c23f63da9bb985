// The `idml` command line: one binary, one subcommand per job. Each
// subcommand lives in its own file under train/cli/ and registers itself here.
#include <cstdio>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "engine/error.h"
#include "train/cli/commands.h"

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress reaches log files line by line
  CLI::App app{"idml: Introspective Deep Metric Learning (IDML, T-PAMI 2023) on its own tensor engine"};
  app.set_version_flag("--version", std::string("idml ") + IDML_VERSION);
  app.require_subcommand(0, 1);
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const idml::Error& e) {
    std::cerr << "idml: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "idml: unexpected error: " << e.what() << "\n";
    return 1;
  }
  if (app.get_subcommands().empty()) std::cout << app.help();
  return exit_code;
}
