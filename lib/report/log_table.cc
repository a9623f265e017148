#include "report/log_table.h"

#include <algorithm>
#include <map>

namespace flor::report {
namespace {

struct Column {
  std::string name;
  bool hindsight = false;
  bool operator<(const Column& o) const { return std::tie(hindsight, name) < std::tie(o.hindsight, o.name); }
};

using Key = std::pair<int64_t, int64_t>;  // (epoch, step)

// Columns in order of first appearance, recorded before hindsight.
std::vector<Column> columns_of(const std::vector<store::LogRow>& logs) {
  std::vector<Column> cols;
  for (bool hindsight : {false, true}) {
    for (const auto& l : logs) {
      if (l.hindsight != hindsight) continue;
      Column c{l.name, hindsight};
      if (std::none_of(cols.begin(), cols.end(),
                       [&](const Column& x) { return x.name == c.name && x.hindsight == c.hindsight; })) {
        cols.push_back(c);
      }
    }
  }
  return cols;
}

std::string header(const Column& c, const std::vector<Column>& all, bool mark) {
  if (!c.hindsight) return c.name;
  if (mark) return c.name + "*";
  bool clash = std::any_of(all.begin(), all.end(), [&](const Column& x) { return !x.hindsight && x.name == c.name; });
  return clash ? c.name + "@hindsight" : c.name;
}

}  // namespace

Table log_table(const std::vector<store::LogRow>& logs, bool hindsight_mark) {
  std::vector<Column> cols = columns_of(logs);
  std::map<Column, size_t> index;
  for (size_t i = 0; i < cols.size(); ++i) index[cols[i]] = i;
  bool has_steps = std::any_of(logs.begin(), logs.end(), [](const store::LogRow& l) { return l.step >= 0; });

  struct Value {
    std::string text;
    int64_t source = -1;
  };
  std::map<Key, std::vector<Value>> grid;
  for (const auto& l : logs) {
    auto& row = grid[{l.epoch, l.step}];
    row.resize(cols.size());
    Value& v = row[index[Column{l.name, l.hindsight}]];
    if (l.source >= v.source) v = Value{l.value, l.source};
  }

  Table t;
  t.columns.push_back("epoch");
  if (has_steps) t.columns.push_back("step");
  for (const auto& c : cols) t.columns.push_back(header(c, cols, hindsight_mark));
  for (const auto& [key, values] : grid) {
    std::vector<Cell> row;
    row.push_back(std::to_string(key.first));
    if (has_steps) row.push_back(key.second >= 0 ? Cell(std::to_string(key.second)) : std::nullopt);
    for (const auto& v : values) row.push_back(v.source >= 0 ? Cell(v.text) : std::nullopt);
    t.rows.push_back(std::move(row));
  }
  bool any_hindsight = std::any_of(cols.begin(), cols.end(), [](const Column& c) { return c.hindsight; });
  if (hindsight_mark && any_hindsight) t.footnote = "* hindsight: filled in by replay";
  return t;
}

}  // namespace flor::report
