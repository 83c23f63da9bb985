// Inline SVG charts for the run report: a line chart (one line per series,
// "nice" axis ticks, an optional dashed marker such as the best epoch) and a
// histogram. Plain strings, no scripts, so the HTML file stands alone.
#pragma once

#include <cmath>
#include <string>
#include <vector>

namespace idml::report {

struct Series {
  std::string name;   // legend text
  std::string color;  // CSS colour
  std::vector<double> x, y;
};

struct ChartOptions {
  std::string title;
  std::string x_label = "epoch";
  double marker_x = std::nan("");  // dashed vertical line (e.g. the best epoch); NaN: none
  std::string marker_label = "best";
  int width = 380, height = 230;
};

// Axis ticks at 1, 2 or 5 x 10^k steps covering [lo, hi], about `target` of them.
std::vector<double> nice_ticks(double lo, double hi, int target);
// A tick label with as many decimals as the step needs ("0.25", "1e-04").
std::string format_tick(double value, double step);

std::string line_chart_svg(const std::vector<Series>& series, const ChartOptions& options);

struct HistogramOptions {
  std::string title;
  std::string x_label;
  double lo = 0, hi = 1;
  int bins = 20;
  double marker_x = std::nan("");  // dashed vertical line (e.g. margin 0); NaN: none
  std::string color = "#4c78a8";
  int width = 420, height = 230;
};

// Counts of `values` in `bins` equal bins over [lo, hi] (values outside go to the end bins).
std::vector<int> histogram_counts(const std::vector<double>& values, double lo, double hi, int bins);
std::string histogram_svg(const std::vector<double>& values, const HistogramOptions& options);

}  // namespace idml::report
