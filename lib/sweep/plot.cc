#include "sweep/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace flor::sweep {
namespace {

constexpr double kWidth = 760, kMinHeight = 420;
constexpr double kLeft = 70, kRight = 200, kTop = 40, kBottom = 50;  // margins; legend on the right
constexpr double kLegendRow = 14;       // 30 runs fit in the default height
constexpr size_t kLegendChars = 28;     // longer labels are cut (the full one is the row's tooltip)
constexpr double kLogSpan = 100;        // y values spanning this factor or more get a log scale
constexpr const char* kNonFiniteColor = "#d00";
constexpr const char* kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                   "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) { lo = std::min(lo, v), hi = std::max(hi, v); }
  // A flat or empty range still needs a visible span.
  void widen() {
    if (!(lo <= hi)) lo = 0, hi = 1;
    if (lo == hi) lo -= 0.5, hi += 0.5;
  }
};

// y is log10 of the value on a log scale: ranges and ticks are in that space.
struct Frame {
  Range x, y;
  bool integer_x = true;
  bool log_y = false;
  double height = kMinHeight;
  double px(double v) const { return kLeft + (v - x.lo) / (x.hi - x.lo) * (kWidth - kLeft - kRight); }
  double py(double v) const {
    double t = log_y ? std::log10(v) : v;
    return height - kBottom - (t - y.lo) / (y.hi - y.lo) * (height - kTop - kBottom);
  }
};

Frame frame_of(const std::vector<Series>& series) {
  Frame f;
  Range values;
  for (const Series& s : series) {
    for (const auto& [x, y] : s.points) {
      f.x.add(x);
      if (std::isfinite(y)) values.add(y);
      f.integer_x = f.integer_x && x == std::floor(x);
    }
  }
  f.height = std::max(kMinHeight, kTop + 8 + kLegendRow * static_cast<double>(series.size() + 1) + kBottom);
  f.x.widen();
  f.log_y = values.lo > 0 && values.hi / values.lo >= kLogSpan;
  if (f.log_y) {  // whole decades
    f.y.lo = std::floor(std::log10(values.lo));
    f.y.hi = std::ceil(std::log10(values.hi));
    return f;
  }
  f.y = values;
  f.y.widen();
  // Extend the y range to whole ticks so the lines never touch the frame.
  std::vector<double> yt = nice_ticks(f.y.lo, f.y.hi, 6);
  double step = yt.size() > 1 ? yt[1] - yt[0] : 1;
  f.y.lo = std::floor(f.y.lo / step) * step;
  f.y.hi = std::ceil(f.y.hi / step) * step;
  if (f.y.lo == f.y.hi) f.y.hi += step;
  return f;
}

// The y ticks: round numbers, or on a log scale each decade (1, 10, 100, ...;
// every other one past 8 decades).
std::vector<double> y_ticks(const Frame& f) {
  if (!f.log_y) return nice_ticks(f.y.lo, f.y.hi, 6);
  std::vector<double> ticks;
  int every = f.y.hi - f.y.lo > 8 ? 2 : 1;
  for (int e = static_cast<int>(f.y.lo); e <= static_cast<int>(f.y.hi); e += every) ticks.push_back(std::pow(10.0, e));
  return ticks;
}

std::string axes_svg(const Frame& f, const std::string& x_label) {
  std::string out;
  double x0 = kLeft, x1 = kWidth - kRight, y0 = f.height - kBottom, y1 = kTop;
  out += "<rect x=\"" + num(x0) + "\" y=\"" + num(y1) + "\" width=\"" + num(x1 - x0) + "\" height=\"" +
         num(y0 - y1) + "\" fill=\"none\" stroke=\"#333\"/>\n";
  for (double t : nice_ticks(f.x.lo, f.x.hi, 8, f.integer_x)) {
    out += "<line x1=\"" + num(f.px(t)) + "\" y1=\"" + num(y0) + "\" x2=\"" + num(f.px(t)) + "\" y2=\"" +
           num(y0 + 5) + "\" stroke=\"#333\"/>";
    out += "<text x=\"" + num(f.px(t)) + "\" y=\"" + num(y0 + 18) + "\" text-anchor=\"middle\">" + num(t) +
           "</text>\n";
  }
  for (double t : y_ticks(f)) {
    out += "<line x1=\"" + num(x0) + "\" y1=\"" + num(f.py(t)) + "\" x2=\"" + num(x1) + "\" y2=\"" +
           num(f.py(t)) + "\" stroke=\"#eee\"/>";
    out += "<text x=\"" + num(x0 - 6) + "\" y=\"" + num(f.py(t) + 4) + "\" text-anchor=\"end\">" + num(t) +
           "</text>\n";
  }
  out += "<text x=\"" + num((x0 + x1) / 2) + "\" y=\"" + num(f.height - 12) + "\" text-anchor=\"middle\">" +
         xml_escape(x_label) + "</text>\n";
  if (f.log_y) out += "<text x=\"" + num(x0) + "\" y=\"" + num(y1 - 6) + "\" font-size=\"10\">log scale</text>\n";
  return out;
}

// A polyline per stretch of finite values (a non-finite value breaks the
// line); each non-finite value is a red cross on the frame's top edge (NaN,
// +inf) or bottom edge (-inf), with its value as the tooltip.
std::string series_svg(const Frame& f, const Series& s, const char* color) {
  std::vector<std::pair<double, double>> pts = s.points;
  std::sort(pts.begin(), pts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out, line;
  auto flush = [&] {
    if (!line.empty()) out += "<polyline fill=\"none\" stroke=\"" + std::string(color) + "\" stroke-width=\"2\" points=\"" + line + "\"/>\n";
    line.clear();
  };
  for (const auto& [x, y] : pts) {
    bool plotted = std::isfinite(y) && (!f.log_y || y > 0);
    if (!plotted) {
      flush();
      continue;
    }
    line += num(f.px(x)) + "," + num(f.py(y)) + " ";
  }
  flush();
  for (const auto& [x, y] : pts) {  // markers: a single-epoch run is a dot, not nothing
    if (std::isfinite(y) && (!f.log_y || y > 0)) {
      out += "<circle cx=\"" + num(f.px(x)) + "\" cy=\"" + num(f.py(y)) + "\" r=\"3\" fill=\"" + color + "\"/>";
      continue;
    }
    double cx = f.px(x), cy = (y < 0 || (f.log_y && std::isfinite(y))) ? f.height - kBottom : kTop;
    out += "<path class=\"non-finite\" d=\"M" + num(cx - 5) + "," + num(cy - 5) + " l10,10 m0,-10 l-10,10\" stroke=\"" +
           kNonFiniteColor + "\" stroke-width=\"2\"><title>" + xml_escape(s.label) + ": " + num(y) + " at " + num(x) +
           "</title></path>";
  }
  return out + "\n";
}

bool has_non_finite(const std::vector<Series>& series) {
  for (const Series& s : series) {
    for (const auto& p : s.points) {
      if (!std::isfinite(p.second)) return true;
    }
  }
  return false;
}

std::string legend_svg(const std::vector<Series>& series) {
  std::string out;
  double x = kWidth - kRight + 12, y = kTop + 8;
  for (size_t i = 0; i < series.size(); ++i, y += kLegendRow) {
    const char* color = series[i].points.empty() ? "#bbb" : kColors[i % 10];
    const std::string& label = series[i].label;
    std::string shown = label.size() > kLegendChars ? label.substr(0, kLegendChars - 3) + "..." : label;
    out += "<g><title>" + xml_escape(label) + "</title><rect x=\"" + num(x) + "\" y=\"" + num(y - 7) +
           "\" width=\"14\" height=\"4\" fill=\"" + color + "\"/>";
    out += "<text x=\"" + num(x + 20) + "\" y=\"" + num(y - 2) + "\" font-size=\"10\">" + xml_escape(shown) +
           "</text></g>\n";
  }
  if (has_non_finite(series)) {
    out += "<text x=\"" + num(x) + "\" y=\"" + num(y + 4) + "\" font-size=\"10\" fill=\"" + kNonFiniteColor +
           "\">x  non-finite (NaN, inf)</text>\n";
  }
  return out;
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target, bool integers) {
  if (!(hi > lo) || target < 1) return {lo};
  double raw = (hi - lo) / target;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  if (integers) step = std::max(1.0, std::round(step));
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);  // no "-0" or "1e-17" labels
  }
  return ticks;
}

std::string line_chart_svg(const std::string& title, const std::string& x_label,
                           const std::vector<Series>& series) {
  Frame f = frame_of(series);
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(kWidth) + "\" height=\"" +
                    num(f.height) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  out += "<text x=\"" + num(kLeft) + "\" y=\"24\" font-size=\"15\">" + xml_escape(title) + "</text>\n";
  out += axes_svg(f, x_label);
  for (size_t i = 0; i < series.size(); ++i) {
    if (!series[i].points.empty()) out += series_svg(f, series[i], kColors[i % 10]);
  }
  out += legend_svg(series);
  return out + "</svg>\n";
}

}  // namespace flor::sweep
