// `idml report RUN_DIR`: the HTML report of a training run (train/report/run_report.h).
#include <cstdio>

#include "engine/backend.h"
#include "engine/error.h"
#include "train/cli/commands.h"
#include "train/cli/options.h"
#include "train/report/run_report.h"

namespace idml::cli {

void add_report_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("report", "Write the HTML report of a training run (curves, retrieval gallery)");
  auto run_directory = std::make_shared<std::string>();
  auto options = std::make_shared<report::ReportOptions>();
  auto device = std::make_shared<DeviceChoice>();
  cmd->add_option("RUN_DIR", *run_directory, "the run directory of `idml train` (holds config.json)")->required();
  cmd->add_option("--out", options->out, "the HTML file (default RUN_DIR/report.html)");
  cmd->add_option("--queries", options->random_queries, "gallery: random eval queries")->capture_default_str();
  cmd->add_option("--worst", options->worst_queries, "gallery: worst failures shown")->capture_default_str();
  cmd->add_option("--neighbours", options->neighbours, "gallery: neighbours per query")->capture_default_str();
  cmd->add_option("--seed", options->seed, "gallery: which random queries")->capture_default_str();
  cmd->add_option("--margin-samples", options->margin_samples, "training-class images for the proxy margins")
      ->capture_default_str();
  cmd->add_option("--workers", options->workers, "decoding threads")->capture_default_str();
  device->add_to(*cmd);
  cmd->callback([run_directory, options, device, &exit_code] {
    IDML_CHECK(options->random_queries >= 0 && options->worst_queries >= 0, "--queries and --worst must be >= 0");
    IDML_CHECK(options->neighbours >= 1, "--neighbours must be at least 1");
    IDML_CHECK(options->margin_samples >= 1, "--margin-samples must be at least 1");
    options->device = device->resolve();
    std::printf("wrote %s\n", report::write_run_report(*run_directory, *options).c_str());
    exit_code = 0;
  });
}

}  // namespace idml::cli
