#include "report/log_table.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <tuple>

#include "store/value.h"

namespace flor::report {
namespace {

struct Column {
  std::string name;
  bool hindsight = false;
  bool diverged = false;  // hindsight values of a replay that diverged
  bool operator<(const Column& o) const {
    return std::tie(hindsight, diverged, name) < std::tie(o.hindsight, o.diverged, o.name);
  }
};

using Key = std::pair<int64_t, int64_t>;  // (epoch, step)

// The type show_typed_values gives a row whose value it made JSON text.
constexpr const char* kJsonCell = "json";

// Where a log statement sits ("train.cc:42" -> {"train.cc", 42}); 0 when unknown.
std::pair<std::string, long> source_position(const std::string& loc) {
  auto colon = loc.rfind(':');
  if (colon == std::string::npos) return {loc, 0};
  return {loc.substr(0, colon), std::strtol(loc.c_str() + colon + 1, nullptr, 10)};
}

// Recorded columns before hindsight ones; within each, in program order (file,
// line of the statement), then first appearance: stable whichever replay wrote first.
Column column_of(const store::LogRow& l, const std::set<int64_t>& diverged) {
  return Column{l.name, l.hindsight, l.hindsight && diverged.count(l.source) > 0};
}

std::vector<Column> columns_of(const std::vector<store::LogRow>& logs, const std::set<int64_t>& diverged) {
  struct Seen {
    Column col;
    std::pair<std::string, long> pos;
    size_t first;
  };
  std::vector<Seen> seen;
  for (size_t i = 0; i < logs.size(); ++i) {
    const Column col = column_of(logs[i], diverged);
    if (std::none_of(seen.begin(), seen.end(),
                     [&](const Seen& s) { return !(s.col < col) && !(col < s.col); })) {
      seen.push_back({col, source_position(logs[i].loc), i});
    }
  }
  std::stable_sort(seen.begin(), seen.end(), [](const Seen& a, const Seen& b) {
    return std::tie(a.col.hindsight, a.col.diverged, a.pos, a.first) <
           std::tie(b.col.hindsight, b.col.diverged, b.pos, b.first);
  });
  std::vector<Column> cols;
  cols.reserve(seen.size());
  for (const auto& s : seen) cols.push_back(s.col);
  return cols;
}

std::string header(const Column& c, const std::vector<Column>& all, bool mark) {
  if (!c.hindsight) return c.name;
  if (c.diverged) return c.name + "@diverged";
  if (mark) return c.name + "*";
  bool clash =
      std::any_of(all.begin(), all.end(), [&](const Column& x) { return !x.hindsight && x.name == c.name; });
  return clash ? c.name + "@hindsight" : c.name;
}

// A name logged several times in one epoch where the runtime knew no step (a
// plain loop inside a skip block or a called function: only flor::loop counts
// steps) gets its occurrences numbered 0, 1, ... as steps, in the order they
// were logged (the store keeps it): per step, not one cell overwritten by the
// next. Numbered per source, so each replay's values line up with the record's.
// A name logged once per epoch keeps step -1 (the epoch's row).
std::vector<store::LogRow> number_repeats(std::vector<store::LogRow> logs) {
  using Group = std::tuple<int64_t, std::string, bool, int64_t>;  // (epoch, name, hindsight, source)
  auto group = [](const store::LogRow& l) { return Group{l.epoch, l.name, l.hindsight, l.source}; };
  std::map<Group, int64_t> count;
  for (const auto& l : logs) {
    if (l.step < 0) ++count[group(l)];
  }
  std::map<Group, int64_t> next;
  for (auto& l : logs) {
    if (l.step < 0 && count[group(l)] > 1) l.step = next[group(l)]++;
  }
  return logs;
}

}  // namespace

Table log_table(const std::vector<store::LogRow>& stored, Mark mark, Steps steps, const std::set<int64_t>& diverged) {
  const bool hindsight_mark = mark == Mark::kStar, last_step_only = steps == Steps::kLastOnly;
  const std::vector<store::LogRow> logs = number_repeats(stored);
  std::vector<Column> cols = columns_of(logs, diverged);
  std::map<Column, size_t> index;
  for (size_t i = 0; i < cols.size(); ++i) index[cols[i]] = i;
  std::vector<bool> per_step(cols.size(), false);
  for (const auto& l : logs) {
    if (l.step >= 0) per_step[index[column_of(l, diverged)]] = true;
  }
  bool any_steps = std::find(per_step.begin(), per_step.end(), true) != per_step.end();
  bool has_steps = any_steps && !last_step_only;

  struct Value {
    std::string text;
    std::pair<int64_t, int64_t> rank{-1, -1};  // (step, source): the later step, then the newest replay wins
    bool json = false;                         // show_typed_values made it JSON
  };
  std::map<Key, std::vector<Value>> grid;
  for (const auto& l : logs) {
    auto& row = grid[{l.epoch, has_steps ? l.step : -1}];
    row.resize(cols.size());
    Value& v = row[index[column_of(l, diverged)]];
    std::pair<int64_t, int64_t> rank{has_steps ? 0 : l.step, l.source};
    if (rank >= v.rank) v = Value{l.value, rank, l.type == kJsonCell};
  }

  Table t;
  t.columns.push_back("epoch");
  if (has_steps) t.columns.push_back("step");
  for (size_t i = 0; i < cols.size(); ++i) {
    t.columns.push_back(header(cols[i], cols, hindsight_mark) +
                        (last_step_only && per_step[i] ? "@last" : ""));
  }
  for (const auto& [key, values] : grid) {
    std::vector<Cell> row;
    row.push_back(std::to_string(key.first));
    if (has_steps) row.push_back(key.second >= 0 ? Cell(std::to_string(key.second)) : std::nullopt);
    for (const auto& v : values) {
      if (v.json) t.json_cells.insert({t.rows.size(), row.size()});
      row.push_back(v.rank.second >= 0 ? Cell(v.text) : std::nullopt);
    }
    t.rows.push_back(std::move(row));
  }
  bool any_hindsight =
      std::any_of(cols.begin(), cols.end(), [](const Column& c) { return c.hindsight && !c.diverged; });
  if (hindsight_mark && any_hindsight) t.footnote = "* hindsight: filled in by replay";
  std::set<int64_t> shown;  // the diverged replays whose values are in the table
  for (const auto& l : logs) {
    if (column_of(l, diverged).diverged) shown.insert(l.source);
  }
  if (!shown.empty()) {
    std::string runs;
    for (int64_t r : shown) runs += (runs.empty() ? "" : ", ") + std::to_string(r);
    t.footnote += std::string(t.footnote.empty() ? "" : "\n") + "@diverged: filled in by replay run(s) " +
                  runs + ", which diverged from the record: these values may be wrong";
  }
  if (last_step_only && any_steps) {
    t.footnote += std::string(t.footnote.empty() ? "" : "\n") +
                  "@last: logged per step, the value of the epoch's last step";
  }
  return t;
}

Table runs_table(const std::vector<std::pair<int64_t, std::vector<store::LogRow>>>& runs, const std::string& name,
                 const std::set<int64_t>& diverged) {
  struct Value {
    std::string text;
    std::pair<bool, int64_t> rank{false, -1};  // (recorded, source): recorded first, then the newest replay
    bool json = false;
  };
  std::map<Key, std::vector<Value>> grid;
  bool has_steps = false;
  for (size_t r = 0; r < runs.size(); ++r) {
    std::vector<store::LogRow> mine;
    for (const auto& l : runs[r].second) {
      if (l.name == name && !(l.hindsight && diverged.count(l.source))) mine.push_back(l);
    }
    for (const auto& l : number_repeats(std::move(mine))) {
      has_steps = has_steps || l.step >= 0;
      auto& row = grid[{l.epoch, l.step}];
      row.resize(runs.size());
      Value& v = row[r];
      std::pair<bool, int64_t> rank{!l.hindsight, l.source};
      if (rank >= v.rank) v = Value{l.value, rank, l.type == kJsonCell};
    }
  }
  Table t;
  t.columns.push_back("epoch");
  if (has_steps) t.columns.push_back("step");
  for (const auto& run : runs) t.columns.push_back("run " + std::to_string(run.first));
  for (const auto& [key, values] : grid) {  // each row has a value per run (resized when made)
    std::vector<Cell> row{std::to_string(key.first)};
    if (has_steps) row.push_back(key.second >= 0 ? Cell(std::to_string(key.second)) : std::nullopt);
    for (const auto& v : values) {
      if (v.json) t.json_cells.insert({t.rows.size(), row.size()});
      row.push_back(v.rank.second >= 0 ? Cell(v.text) : std::nullopt);
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

Status show_typed_values(const std::string& dir, Format format, std::vector<store::LogRow>* logs) {
  for (store::LogRow& l : *logs) {
    if (l.data.empty() && l.blob.empty()) continue;
    if (format != Format::kJson) {
      l.value = store::short_form(l);
      continue;
    }
    FLOR_ASSIGN_OR_RETURN(store::Value v, store::read_value(dir, l));
    l.value = store::value_json(v);
    l.type = kJsonCell;
  }
  return Status();
}

Result<std::set<int64_t>> diverged_sources(store::Store& store, const std::vector<store::LogRow>& logs) {
  std::set<int64_t> sources, out;
  for (const auto& l : logs) {
    if (l.hindsight) sources.insert(l.source);
  }
  for (int64_t run : sources) {
    FLOR_ASSIGN_OR_RETURN(auto stored, store.divergences(run));
    FLOR_ASSIGN_OR_RETURN(auto rows, store.epochs(run));
    const bool counted =
        std::any_of(rows.begin(), rows.end(), [](const store::EpochRow& e) { return e.divergences > 0; });
    if (!stored.empty() || counted) out.insert(run);
  }
  return out;
}

}  // namespace flor::report
