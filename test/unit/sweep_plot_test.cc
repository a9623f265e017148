// The sweep's SVG charts: log scale when values span decades, a legend that
// fits 30 runs, non-finite values shown and marked, not dropped.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "sweep/metrics.h"
#include "sweep/plot.h"

using flor::sweep::line_chart_svg;
using flor::sweep::Series;

namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

double svg_height(const std::string& svg) {
  size_t at = svg.find("height=\"") + 8;
  return std::stod(svg.substr(at, svg.find('"', at) - at));
}

}  // namespace

TEST_CASE("values spanning decades get a log scale with a tick per decade", "[sweep]") {
  std::string svg = line_chart_svg("loss", "epoch", {{"a", {{0, 1000}, {1, 10}, {2, 0.1}}}});
  CHECK(svg.find("log scale") != std::string::npos);
  for (const char* tick : {">0.1</text>", ">1</text>", ">10</text>", ">100</text>", ">1000</text>"})
    CHECK(svg.find(tick) != std::string::npos);
  // Within a factor of 100: linear, as before.
  std::string lin = line_chart_svg("acc", "epoch", {{"a", {{0, 0.5}, {1, 0.9}}}});
  CHECK(lin.find("log scale") == std::string::npos);
  // A zero or negative value cannot be on a log scale: linear.
  std::string zero = line_chart_svg("x", "epoch", {{"a", {{0, 0}, {1, 1000}, {2, 0.001}}}});
  CHECK(zero.find("log scale") == std::string::npos);
}

TEST_CASE("a legend fits 30 runs: a row each, the chart grows, long labels are cut", "[sweep]") {
  std::vector<Series> runs;
  for (int i = 0; i < 30; ++i) runs.push_back({"run-" + std::to_string(i) + "-lr=0.001-batch=64-dropout=0.5", {{0, i * 1.0}, {1, i + 0.5}}});
  std::string svg = line_chart_svg("loss", "epoch", runs);
  CHECK(count(svg, "<polyline") == 30);
  CHECK(count(svg, "<g><title>") == 30);
  double height = svg_height(svg);
  // Every legend row lies inside the chart.
  size_t last = svg.rfind("<g><title>");
  size_t y_at = svg.find(" y=\"", last) + 4;
  double last_y = std::stod(svg.substr(y_at, svg.find('"', y_at) - y_at));
  CHECK(last_y + 14 < height);
  CHECK(svg.find(">run-29-lr=0.001-batch=64-...</text>") != std::string::npos);
  CHECK(svg.find("<title>run-29-lr=0.001-batch=64-dropout=0.5</title>") != std::string::npos);
  // Without more series than fit, the default size.
  CHECK(svg_height(line_chart_svg("x", "epoch", {{"a", {{0, 1}}}})) == 420);
}

TEST_CASE("non-finite values are marked, break the line and do not break the axes", "[sweep]") {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  std::string svg = line_chart_svg("loss", "epoch", {{"a", {{0, 1}, {1, 2}, {2, nan}, {3, 3}, {4, 4}, {5, inf}, {6, -inf}}}});
  CHECK(count(svg, "class=\"non-finite\"") == 3);
  CHECK(count(svg, "<polyline") == 2);  // 0-1 and 3-4
  CHECK(svg.find("non-finite (NaN, inf)") != std::string::npos);
  CHECK(svg.find("a: nan at 2") != std::string::npos);
  CHECK(svg.find("a: -inf at 6") != std::string::npos);
  // The axes come from the finite values only.
  CHECK(svg.find(">4</text>") != std::string::npos);
  CHECK(svg.find(">nan</text>") == std::string::npos);
  CHECK(svg.find(">inf</text>") == std::string::npos);
  // No non-finite value: no marker, no legend line.
  CHECK(line_chart_svg("x", "epoch", {{"a", {{0, 1}}}}).find("non-finite") == std::string::npos);
}

TEST_CASE("a metric's NaN reaches the plot instead of being dropped", "[sweep]") {
  flor::store::LogRow row;
  row.run = row.source = 1;
  row.epoch = 3;
  row.name = "loss";
  row.type = "double";
  row.value = "nan";
  auto h = flor::sweep::history_from_logs({row});
  REQUIRE(h["loss"].count(3) == 1);
  CHECK(std::isnan(h["loss"][3]));
  auto out = flor::sweep::history_from_output("epoch 2 loss=inf acc: 0.5\n");
  CHECK(std::isinf(out["loss"][2]));
  CHECK(out["acc"][2] == 0.5);
}
