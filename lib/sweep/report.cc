#include "sweep/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <set>

#include "sweep/expand.h"

namespace flor::sweep {
namespace {

// Exact text: a number is JSON's shortest round-trip form, so csv/json keep
// every digit; an aligned table shortens it for reading (report/table.h).
report::Cell cell_of(const Json& object, const std::string& key) {
  if (!object.contains(key)) return std::nullopt;
  return value_text(object[key]);
}

// The entries that are not dropped; `labels`, when not empty, is filtered alongside.
std::vector<const Entry*> live(const std::vector<const Entry*>& entries, std::vector<std::string>* labels) {
  std::vector<const Entry*> out;
  std::vector<std::string> kept;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i]->state == RunState::kDropped) continue;
    out.push_back(entries[i]);
    if (!labels->empty()) kept.push_back((*labels)[i]);
  }
  *labels = std::move(kept);
  return out;
}

std::set<std::string> keys_of(const std::vector<const Entry*>& entries, Json Entry::*field) {
  std::set<std::string> keys;
  for (const Entry* e : entries) {
    for (const auto& [k, v] : (e->*field).items()) keys.insert(k);
  }
  return keys;
}

// Parameters whose value differs between runs: the table's interesting columns.
std::vector<std::string> varying_keys(const std::vector<const Entry*>& entries) {
  std::vector<std::string> out;
  for (const std::string& k : keys_of(entries, &Entry::params)) {
    std::set<std::string> values;
    for (const Entry* e : entries) values.insert(e->params.contains(k) ? e->params[k].dump() : "");
    if (values.size() > 1) out.push_back(k);
  }
  return out;
}

bool has_duration(const Entry& e) { return e.ended > 0 && e.started > 0; }

std::string state_text(const Entry& e) {
  return e.state == RunState::kFailed && !e.reason.empty() ? "failed (" + e.reason + ")" : to_string(e.state);
}

}  // namespace

report::Table data_table(const std::vector<const Entry*>& all, const std::vector<std::string>& all_sweeps) {
  std::vector<std::string> sweeps = all_sweeps;
  std::vector<const Entry*> entries = live(all, &sweeps);
  std::set<std::string> params = keys_of(entries, &Entry::params);
  std::set<std::string> metrics = keys_of(entries, &Entry::final_metrics);
  report::Table t;
  if (!sweeps.empty()) t.columns.push_back("sweep");
  for (const char* c : {"run", "state", "exit_code", "attempts", "duration_s", "hash"}) t.columns.push_back(c);
  t.columns.insert(t.columns.end(), params.begin(), params.end());
  t.columns.insert(t.columns.end(), metrics.begin(), metrics.end());
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = *entries[i];
    std::vector<report::Cell> row;
    if (!sweeps.empty()) row.push_back(sweeps[i]);
    row.insert(row.end(), {e.folder, std::string(to_string(e.state)),
                           e.exit_code ? report::Cell(std::to_string(*e.exit_code)) : std::nullopt,
                           std::to_string(e.attempts),
                           has_duration(e) ? report::Cell(Json(e.ended - e.started).dump()) : std::nullopt, e.hash});
    for (const std::string& k : params) row.push_back(cell_of(e.params, k));
    for (const std::string& k : metrics) row.push_back(cell_of(e.final_metrics, k));
    t.rows.push_back(std::move(row));
  }
  return t;
}

report::Table runs_table(const std::vector<const Entry*>& all) {
  std::vector<std::string> no_labels;
  std::vector<const Entry*> entries = live(all, &no_labels);
  std::vector<std::string> params = varying_keys(entries);
  std::set<std::string> metrics = keys_of(entries, &Entry::final_metrics);
  report::Table t;
  t.columns = {"run", "state"};
  t.columns.insert(t.columns.end(), params.begin(), params.end());
  t.columns.insert(t.columns.end(), metrics.begin(), metrics.end());
  t.columns.push_back("time_s");
  for (const Entry* entry : entries) {
    const Entry& e = *entry;
    std::vector<report::Cell> row = {e.folder, state_text(e)};
    for (const std::string& k : params) row.push_back(cell_of(e.params, k));
    for (const std::string& k : metrics) row.push_back(cell_of(e.final_metrics, k));
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.1f", e.ended - e.started);
    row.push_back(has_duration(e) ? report::Cell(secs) : std::nullopt);
    t.rows.push_back(std::move(row));
  }
  return t;
}

double estimate_eta(const std::vector<double>& finished, const std::vector<double>& running, int queued,
                    int slots) {
  if (finished.empty()) return -1;
  double mean = std::accumulate(finished.begin(), finished.end(), 0.0) / finished.size();
  double left = 0;
  for (double r : running) left += std::max(0.0, mean - r);
  left += mean * queued;
  return left / std::max(1, slots);
}

std::string progress_line(const Progress& p) {
  std::string line = "sweep: " + std::to_string(p.done) + " done, " + std::to_string(p.running) +
                     " running, " + std::to_string(p.queued) + " queued, " + std::to_string(p.failed) +
                     " failed";
  if (p.running + p.queued > 0)
    line += ", ETA " + (p.eta_s < 0 ? std::string("?") : format_duration(p.eta_s));
  return line;
}

}  // namespace flor::sweep
