// The run-level sections of the report: header, configuration, curves and the
// per-epoch table, from config.json and metrics.jsonl alone.
#include "train/report/report_sections.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "train/report/html.h"
#include "train/report/svg_chart.h"

namespace idml::report {
namespace {

constexpr const char* kEvalColor = "#1f5fbf";
constexpr const char* kSeenColor = "#e07b00";

bool is_percentage(const std::string& metric) { return metric != "loss"; }

// A metric value (a fraction) as the paper shows it.
std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", 100.0 * fraction);
  return text;
}

std::string exact(double value) {
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

int rank_of(const std::string& name) {
  if (name.rfind("R@", 0) == 0) return std::stoi(name.substr(2));
  static const std::map<std::string, int> order = {{"NMI", 1000000}, {"F1", 1000001}, {"RP", 1000002},
                                                   {"MAP@R", 1000003}};
  const auto it = order.find(name);
  return it == order.end() ? 2000000 : it->second;
}

double number_or_nan(const nlohmann::json& object, const std::string& key) {
  return object.contains(key) && object[key].is_number() ? object[key].get<double>() : std::nan("");
}

}  // namespace

std::vector<std::string> metric_names(const RunRecords& records) {
  std::vector<std::string> names;
  auto collect = [&](const nlohmann::json& record) {
    for (const char* split : {"eval", "seen"})
      if (record.contains(split) && record[split].is_object())
        for (const auto& item : record[split].items())
          if (std::find(names.begin(), names.end(), item.key()) == names.end()) names.push_back(item.key());
  };
  for (const auto& r : records.evals) collect(r);
  for (const auto& r : records.epochs) collect(r);
  std::stable_sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    return rank_of(a) != rank_of(b) ? rank_of(a) < rank_of(b) : a < b;
  });
  return names;
}

int64_t best_epoch_of(const RunRecords& records) {
  int64_t best = -1;
  double best_r1 = -1;
  for (const auto& r : records.epochs) {
    if (!r.contains("eval")) continue;
    const double r1 = number_or_nan(r["eval"], "R@1");
    if (r1 > best_r1) best_r1 = r1, best = r.value("epoch", int64_t(-1));
  }
  return best;
}

std::string header_section(const std::string& run_directory, const RunRecords& records, int64_t best_epoch) {
  const nlohmann::json& c = records.config;
  std::ostringstream html;
  html << "<h1>idml run: " << html_escape(c.value("dataset", std::string("?"))) << ", "
       << html_escape(c.value("model", std::string("?"))) << ", D = " << c.value("embedding_size", 0) << "</h1>\n";
  html << "<p class=\"sub\">" << html_escape(run_directory) << "<br>" << records.epochs.size() << " of "
       << c.value("epochs", 0) << " epochs done";
  for (const auto& r : records.epochs)
    if (r.value("epoch", int64_t(-2)) == best_epoch && r.contains("eval"))
      html << "; best eval R@1 <b>" << percent(r["eval"].value("R@1", 0.0)) << "</b> at epoch " << best_epoch + 1;
  html << "</p>\n";
  return html.str();
}

std::string config_section(const RunRecords& records) {
  std::ostringstream html;
  html << "<h2 id=\"config\">Configuration</h2>\n";
  const std::string command = records.config.value("command_line", std::string());
  html << "<pre class=\"command\">" << html_escape(command.empty() ? "(command line not recorded)" : command)
       << "</pre>\n";
  // Four key/value pairs per table row keeps 40 settings in ten lines.
  html << "<table class=\"config\">";
  int column = 0;
  for (const auto& item : records.config.items()) {
    if (item.key() == "command_line") continue;
    if (column % 4 == 0) html << (column ? "</tr>" : "") << "<tr>";
    const std::string value = item.value().is_string() ? item.value().get<std::string>() : item.value().dump();
    html << "<th class=\"l\">" << html_escape(item.key()) << "</th><td>" << html_escape(value) << "</td>";
    ++column;
  }
  html << (column ? "</tr>" : "") << "</table>\n";
  return html.str();
}

std::string curves_section(const RunRecords& records, int64_t best_epoch) {
  std::ostringstream html;
  html << "<h2 id=\"curves\">Curves</h2>\n<div class=\"charts\">\n";
  const double best_x = best_epoch >= 0 ? static_cast<double>(best_epoch + 1) : std::nan("");
  auto run_series = [&](const std::string& key, const std::string& name, const char* color) {
    Series s{name, color, {}, {}};
    for (const auto& r : records.epochs) {
      s.x.push_back(r.value("epoch", 0.0) + 1);
      s.y.push_back(number_or_nan(r, key));
    }
    return s;
  };
  struct RunChart {
    const char* key;
    const char* title;
  };
  for (const RunChart& chart : {RunChart{"loss", "training loss"}, RunChart{"lr", "learning rate (backbone)"},
                                RunChart{"images_per_second", "training images/s"}}) {
    ChartOptions options;
    options.title = chart.title;
    options.marker_x = best_x;
    html << line_chart_svg({run_series(chart.key, "", kEvalColor)}, options) << "\n";
  }
  for (const std::string& metric : metric_names(records)) {
    std::vector<Series> series;
    for (const char* split : {"eval", "seen"}) {
      Series s{split, split == std::string("eval") ? kEvalColor : kSeenColor, {}, {}};
      auto add = [&](const nlohmann::json& r) {
        if (!r.contains(split)) return;
        s.x.push_back(r.value("epoch", 0.0) + 1);
        s.y.push_back(100.0 * number_or_nan(r[split], metric));
      };
      for (const auto& r : records.evals) add(r);
      for (const auto& r : records.epochs) add(r);
      if (!s.x.empty()) series.push_back(s);
    }
    ChartOptions options;
    options.title = metric + " (%)";
    options.marker_x = best_x;
    html << line_chart_svg(series, options) << "\n";
  }
  html << "</div>\n<p class=\"note\">Dashed green line: the best epoch (highest eval R@1), whose checkpoint "
          "the sections below use. <span style=\"color:" << kEvalColor << "\">eval</span>: the unseen classes;"
          " <span style=\"color:" << kSeenColor << "\">seen</span>: held-out images of the training classes.</p>\n";
  return html.str();
}

std::string epochs_table_section(const RunRecords& records, int64_t best_epoch) {
  const std::vector<std::string> metrics = metric_names(records);
  std::ostringstream html;
  html << "<h2 id=\"epochs\">Epochs</h2>\n<div class=\"scroll\"><table class=\"epochs\"><tr><th>epoch</th>"
          "<th>loss</th><th>lr</th><th>img/s</th>";
  for (const char* split : {"eval", "seen"})
    for (const std::string& m : metrics) html << "<th>" << split << " " << html_escape(m) << "</th>";
  html << "</tr>\n";
  auto cell = [&](const nlohmann::json& r, const std::string& key, const std::string& shown, double value) {
    html << "<td data-epoch=\"" << r.value("epoch", 0) << "\" data-key=\"" << html_escape(key) << "\" data-value=\""
         << exact(value) << "\">" << shown << "</td>";
  };
  auto row = [&](const nlohmann::json& r) {
    const int64_t epoch = r.value("epoch", int64_t(0));
    html << "<tr" << (epoch == best_epoch ? " style=\"background:#e9f6ec\"" : "") << "><td>"
         << (epoch < 0 ? std::string("before") : std::to_string(epoch + 1)) << "</td>";
    char text[40];
    for (const char* key : {"loss", "lr", "images_per_second"}) {
      if (!r.contains(key)) {
        html << "<td></td>";
        continue;
      }
      const double v = r[key].get<double>();
      std::snprintf(text, sizeof text, key == std::string("lr") ? "%.3g" : key == std::string("loss") ? "%.4f" : "%.1f", v);
      cell(r, key, text, v);
    }
    for (const char* split : {"eval", "seen"})
      for (const std::string& m : metrics) {
        if (r.contains(split) && r[split].contains(m) && r[split][m].is_number()) {
          const double v = r[split][m].get<double>();
          cell(r, std::string(split) + "." + m, is_percentage(m) ? percent(v) : exact(v), v);
        } else {
          html << "<td></td>";
        }
      }
    html << "</tr>\n";
  };
  for (const auto& r : records.evals) row(r);
  for (const auto& r : records.epochs) row(r);
  html << "</table></div>\n<p class=\"note\">Metrics in %, as the paper reports them; the best epoch is shaded.</p>\n";
  return html.str();
}

}  // namespace idml::report
