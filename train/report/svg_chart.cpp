// SVG line charts and histograms: axes with nice ticks, labels sized so that
// they do not overlap at the report's chart width (at most ~6 x labels).
#include "train/report/svg_chart.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "train/report/html.h"

namespace idml::report {
namespace {

struct Frame {  // plot area inside the SVG, and the data range it maps
  double left = 58, right = 0, top = 30, bottom = 0;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  double px(double x) const { return left + (x - x0) / (x1 - x0) * (right - left); }
  double py(double y) const { return bottom - (y - y0) / (y1 - y0) * (bottom - top); }
};

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", v);
  return text;
}

void widen_if_flat(double& lo, double& hi) {
  if (hi > lo) return;
  const double pad = lo == 0 ? 1.0 : std::abs(lo) * 0.1;
  lo -= pad;
  hi += pad;
}

// Axes, grid lines, tick labels and titles; the data range is already in `f`.
void draw_axes(std::ostringstream& svg, const Frame& f, const std::vector<double>& x_ticks,
               const std::vector<double>& y_ticks, const std::string& title, const std::string& x_label,
               int width, int height) {
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << width << " " << height << "\" font-family=\"sans-serif\" font-size=\"11\">";
  svg << "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>";
  svg << "<text x=\"" << f.left << "\" y=\"16\" font-size=\"13\" font-weight=\"bold\">" << html_escape(title)
      << "</text>";
  const double y_step = y_ticks.size() > 1 ? y_ticks[1] - y_ticks[0] : 1.0;
  for (double t : y_ticks) {
    if (t < f.y0 - 1e-12 || t > f.y1 + 1e-12) continue;
    svg << "<line x1=\"" << f.left << "\" x2=\"" << f.right << "\" y1=\"" << number(f.py(t)) << "\" y2=\""
        << number(f.py(t)) << "\" stroke=\"#e4e4e4\"/>";
    svg << "<text x=\"" << f.left - 5 << "\" y=\"" << number(f.py(t) + 4) << "\" text-anchor=\"end\" fill=\"#444\">"
        << format_tick(t, y_step) << "</text>";
  }
  const double x_step = x_ticks.size() > 1 ? x_ticks[1] - x_ticks[0] : 1.0;
  for (double t : x_ticks) {
    if (t < f.x0 - 1e-12 || t > f.x1 + 1e-12) continue;
    svg << "<line x1=\"" << number(f.px(t)) << "\" x2=\"" << number(f.px(t)) << "\" y1=\"" << f.bottom << "\" y2=\""
        << f.bottom + 4 << "\" stroke=\"#888\"/>";
    svg << "<text x=\"" << number(f.px(t)) << "\" y=\"" << f.bottom + 16 << "\" text-anchor=\"middle\" fill=\"#444\">"
        << format_tick(t, x_step) << "</text>";
  }
  svg << "<line x1=\"" << f.left << "\" x2=\"" << f.right << "\" y1=\"" << f.bottom << "\" y2=\"" << f.bottom
      << "\" stroke=\"#888\"/>";
  svg << "<line x1=\"" << f.left << "\" x2=\"" << f.left << "\" y1=\"" << f.top << "\" y2=\"" << f.bottom
      << "\" stroke=\"#888\"/>";
  svg << "<text x=\"" << (f.left + f.right) / 2 << "\" y=\"" << height - 4 << "\" text-anchor=\"middle\" fill=\"#444\">"
      << html_escape(x_label) << "</text>";
}

void draw_marker(std::ostringstream& svg, const Frame& f, double x, const std::string& label) {
  if (std::isnan(x) || x < f.x0 || x > f.x1) return;
  svg << "<line class=\"marker\" x1=\"" << number(f.px(x)) << "\" x2=\"" << number(f.px(x)) << "\" y1=\"" << f.top
      << "\" y2=\"" << f.bottom << "\" stroke=\"#2a9d3a\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>";
  if (label.empty()) return;
  // The label goes on the side of the line with room for it.
  const bool left = f.px(x) > (f.left + f.right) / 2;
  svg << "<text x=\"" << number(f.px(x) + (left ? -4 : 4)) << "\" y=\"" << f.top - 3 << "\" text-anchor=\""
      << (left ? "end" : "start") << "\" fill=\"#2a9d3a\">" << html_escape(label) << "</text>";
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
  widen_if_flat(lo, hi);
  const double raw = (hi - lo) / std::max(1, target);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * magnitude >= raw) {
      step = m * magnitude;
      break;
    }
  std::vector<double> ticks;
  // Integer multiples of the step, so that 2.0 is exactly 10 x 0.2 (no accumulated rounding).
  for (int64_t m = static_cast<int64_t>(std::ceil(lo / step - 1e-9)); m * step <= hi + step * 1e-9; ++m)
    ticks.push_back(step >= 1 ? m * step : m / std::round(1 / step));
  return ticks;
}

std::string format_tick(double value, double step) {
  char text[32];
  if (value == 0) return "0";
  if (step < 1e-3 || std::abs(value) >= 1e6) {
    // Scientific, with the same number of digits on every tick of the axis and
    // enough that neighbouring ticks differ (1.05e-04 beside 1.10e-04).
    const int digits = std::max(0, static_cast<int>(std::ceil(std::log10(std::abs(value) / step) - 1e-9)));
    std::snprintf(text, sizeof text, "%.*e", std::min(digits, 6), value);
  } else {
    const int decimals = step >= 1 ? 0 : std::min(6, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
  }
  return text;
}

std::string line_chart_svg(const std::vector<Series>& series, const ChartOptions& options) {
  Frame f;
  f.right = options.width - 14;
  f.bottom = options.height - 34;
  bool any = false;
  double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
  for (const Series& s : series)
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      if (!any) x0 = x1 = s.x[i], y0 = y1 = s.y[i];
      x0 = std::min(x0, s.x[i]), x1 = std::max(x1, s.x[i]);
      y0 = std::min(y0, s.y[i]), y1 = std::max(y1, s.y[i]);
      any = true;
    }
  if (!std::isnan(options.marker_x) && any) x0 = std::min(x0, options.marker_x), x1 = std::max(x1, options.marker_x);
  if (x1 - x0 < 1) x0 -= 0.5, x1 += 0.5;  // one epoch: centre it
  widen_if_flat(y0, y1);
  const double pad = (y1 - y0) * 0.06;
  y0 -= pad, y1 += pad;
  const std::vector<double> y_ticks = nice_ticks(y0, y1, 5);
  std::vector<double> x_ticks = nice_ticks(x0, x1, 6);
  x_ticks.erase(std::remove_if(x_ticks.begin(), x_ticks.end(), [](double t) { return t != std::round(t); }),
                x_ticks.end());  // epochs are whole numbers
  f.x0 = x0, f.x1 = x1, f.y0 = y0, f.y1 = y1;
  std::ostringstream svg;
  draw_axes(svg, f, x_ticks, y_ticks, options.title, options.x_label, options.width, options.height);
  if (!any)
    svg << "<text x=\"" << (f.left + f.right) / 2 << "\" y=\"" << (f.top + f.bottom) / 2
        << "\" text-anchor=\"middle\" fill=\"#888\">no data yet</text>";
  draw_marker(svg, f, options.marker_x, options.marker_label);
  double legend_x = f.right;
  for (auto it = series.rbegin(); it != series.rend(); ++it) {  // legend right-aligned on the title line
    const Series& s = *it;
    if (s.name.empty()) continue;
    const double w = 14 + 6.5 * s.name.size();
    legend_x -= w + 8;
    svg << "<rect x=\"" << number(legend_x) << "\" y=\"8\" width=\"10\" height=\"10\" fill=\"" << s.color << "\"/>";
    svg << "<text x=\"" << number(legend_x + 13) << "\" y=\"17\" fill=\"#333\">" << html_escape(s.name) << "</text>";
  }
  for (const Series& s : series) {
    std::string points;
    for (size_t i = 0; i < s.x.size(); ++i)
      if (std::isfinite(s.y[i])) points += number(f.px(s.x[i])) + "," + number(f.py(s.y[i])) + " ";
    svg << "<polyline fill=\"none\" stroke=\"" << s.color << "\" stroke-width=\"2\" points=\"" << points << "\"/>";
    if (s.x.size() <= 40)
      for (size_t i = 0; i < s.x.size(); ++i)
        if (std::isfinite(s.y[i]))
          svg << "<circle cx=\"" << number(f.px(s.x[i])) << "\" cy=\"" << number(f.py(s.y[i])) << "\" r=\"3\" fill=\""
              << s.color << "\"/>";
  }
  svg << "</svg>";
  return svg.str();
}

std::vector<int> histogram_counts(const std::vector<double>& values, double lo, double hi, int bins) {
  std::vector<int> counts(static_cast<size_t>(std::max(1, bins)), 0);
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    int b = static_cast<int>(std::floor((v - lo) / (hi - lo) * bins));
    ++counts[static_cast<size_t>(std::clamp(b, 0, bins - 1))];
  }
  return counts;
}

std::string histogram_svg(const std::vector<double>& values, const HistogramOptions& options) {
  const std::vector<int> counts = histogram_counts(values, options.lo, options.hi, options.bins);
  Frame f;
  f.right = options.width - 14;
  f.bottom = options.height - 34;
  f.x0 = options.lo, f.x1 = options.hi;
  f.y0 = 0, f.y1 = std::max(1, *std::max_element(counts.begin(), counts.end())) * 1.08;
  std::vector<double> y_ticks = nice_ticks(0, f.y1, 4);
  y_ticks.erase(std::remove_if(y_ticks.begin(), y_ticks.end(), [](double t) { return t != std::round(t); }),
                y_ticks.end());  // counts are whole numbers
  std::ostringstream svg;
  draw_axes(svg, f, nice_ticks(options.lo, options.hi, 5), y_ticks, options.title, options.x_label, options.width,
            options.height);
  const double bin_width = (options.hi - options.lo) / options.bins;
  for (int b = 0; b < options.bins; ++b) {
    if (counts[static_cast<size_t>(b)] == 0) continue;
    const double x = f.px(options.lo + b * bin_width), w = f.px(options.lo + (b + 1) * bin_width) - x;
    const double y = f.py(counts[static_cast<size_t>(b)]);
    svg << "<rect x=\"" << number(x + 0.5) << "\" y=\"" << number(y) << "\" width=\"" << number(std::max(1.0, w - 1))
        << "\" height=\"" << number(f.bottom - y) << "\" fill=\"" << options.color << "\"/>";
  }
  draw_marker(svg, f, options.marker_x, "");
  svg << "</svg>";
  return svg.str();
}

}  // namespace idml::report
