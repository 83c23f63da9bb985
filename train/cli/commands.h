// Subcommands of `idml`. Each lives in its own file and registers itself with
// add_<name>_command(app, exit_code): it adds a CLI11 subcommand whose callback
// does the work and sets `exit_code` (0 = success). Errors are thrown as
// idml::Error; main() prints them and exits with status 1.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace idml::cli {

// Registered commands (add a declaration and one line in main.cpp per command).
void add_convert_command(CLI::App& app, int& exit_code);
void add_metrics_command(CLI::App& app, int& exit_code);
void add_data_command(CLI::App& app, int& exit_code);
void add_train_command(CLI::App& app, int& exit_code);
void add_eval_command(CLI::App& app, int& exit_code);
void add_embed_command(CLI::App& app, int& exit_code);
void add_bench_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);
void add_search_command(CLI::App& app, int& exit_code);
void add_export_command(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);

// The command line of this process, as the shell would re-run it (set by main).
const std::string& command_line();
void set_command_line(int argc, char** argv);
void add_classify_command(CLI::App& app, int& exit_code);
void add_doctor_command(CLI::App& app, int& exit_code);

}  // namespace idml::cli
