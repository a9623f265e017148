#include "report/table.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <regex>

namespace flor::report {
namespace {

bool is_float_text(const std::string& t) {
  return json_number(t) && t.find_first_of(".eE") != std::string::npos;
}

// Six significant digits are plenty to read a loss; csv/json keep the rest.
std::string display(const Cell& cell) {
  if (!cell) return "-";
  if (!is_float_text(*cell)) return *cell;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", std::strtod(cell->c_str(), nullptr));
  return buf;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string render_aligned(const Table& t) {
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> width(t.columns.size());
  std::vector<bool> numeric(t.columns.size(), true);
  for (size_t c = 0; c < t.columns.size(); ++c) width[c] = t.columns[c].size();
  for (const auto& row : t.rows) {
    auto& out = cells.emplace_back();
    for (size_t c = 0; c < row.size(); ++c) {
      const bool text = t.text_columns.count(c) > 0;
      out.push_back(text && row[c] ? *row[c] : display(row[c]));
      width[c] = std::max(width[c], out.back().size());
      if (text || (row[c] && !json_number(*row[c]))) numeric[c] = false;
    }
  }
  auto line = [&](const std::vector<std::string>& v) {
    std::string s;
    for (size_t c = 0; c < v.size(); ++c) {
      std::string pad(width[c] - std::min(width[c], v[c].size()), ' ');
      s += (c ? "  " : "") + (numeric[c] ? pad + v[c] : v[c] + (c + 1 < v.size() ? pad : ""));
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };
  std::string out = line(t.columns);
  for (const auto& r : cells) out += line(r);
  if (!t.footnote.empty()) out += t.footnote + "\n";
  return out;
}

std::string render_csv(const Table& t) {
  std::string out;
  for (size_t c = 0; c < t.columns.size(); ++c) out += (c ? "," : "") + csv_field(t.columns[c]);
  out += "\n";
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < row.size(); ++c) out += (c ? "," : "") + (row[c] ? csv_field(*row[c]) : "");
    out += "\n";
  }
  return out;
}

std::string render_json(const Table& t) {
  std::string out = "[";
  for (size_t r = 0; r < t.rows.size(); ++r) {
    out += r ? ",\n {" : "\n {";
    for (size_t c = 0; c < t.columns.size(); ++c) {
      const Cell& cell = t.rows[r][c];
      std::string value = !cell                           ? "null"
                          : t.json_cells.count({r, c}) ? *cell
                                                       : json_number(*cell).value_or(nlohmann::json(*cell).dump());
      out += (c ? ", " : "") + nlohmann::json(t.columns[c]).dump() + ": " + value;
    }
    out += "}";
  }
  return out + (t.rows.empty() ? "]\n" : "\n]\n");
}

}  // namespace

Result<Format> parse_format(const std::string& text) {
  if (text == "table") return Format::kTable;
  if (text == "csv") return Format::kCsv;
  if (text == "json") return Format::kJson;
  return invalid_argument("format '" + text + "': expected table, csv or json");
}

std::optional<std::string> json_number(const std::string& text) {
  static const std::regex kJsonNumber(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)");
  if (!std::regex_match(text, kJsonNumber)) return std::nullopt;
  return text;
}

std::string render(const Table& table, Format format) {
  switch (format) {
    case Format::kCsv:
      return render_csv(table);
    case Format::kJson:
      return render_json(table);
    case Format::kTable:
      break;
  }
  return render_aligned(table);
}

}  // namespace flor::report
