// Line charts as standalone SVG (no dependencies): axes with "nice" ticks, a
// polyline per series, a legend. Used for each run's metrics and for the
// comparison of all runs of a sweep.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace flor::sweep {

struct Series {
  std::string label;
  std::vector<std::pair<double, double>> points;  // (x, y), drawn in x order; y may be NaN or inf
};

// A complete SVG document. Series without points are left out of the plot
// (but still listed in the legend, greyed, so a missing run is visible).
// The y axis is logarithmic when every finite value is positive and they span
// a factor of 100 or more. Non-finite values (NaN, inf) break their line and
// are drawn as red crosses on the frame's edge (class "non-finite"), named in
// the legend. The legend has a row per series (30 and more fit: the chart
// grows); long labels are cut, the full text kept as a tooltip.
std::string line_chart_svg(const std::string& title, const std::string& x_label,
                           const std::vector<Series>& series);

// Tick positions covering [lo, hi] with a step of 1, 2 or 5 x 10^k, about
// `target` of them. Exposed for tests.
// With `integers`, the step is at least 1 (epochs have no halves).
std::vector<double> nice_ticks(double lo, double hi, int target, bool integers = false);

}  // namespace flor::sweep
