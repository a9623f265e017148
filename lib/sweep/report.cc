#include "sweep/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <set>

#include "sweep/expand.h"

namespace flor::sweep {
namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string metric_text(const Json& v) {
  if (!v.is_number()) return value_text(v);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v.get<double>());
  return buf;
}

std::vector<const Entry*> live(const std::vector<const Entry*>& entries) {
  std::vector<const Entry*> out;
  for (const Entry* e : entries) {
    if (e->state != RunState::kDropped) out.push_back(e);
  }
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

std::string duration_text(const Entry& e) {
  if (e.ended <= 0 || e.started <= 0) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", e.ended - e.started);
  return buf;
}

std::string state_text(const Entry& e) {
  return e.state == RunState::kFailed && !e.reason.empty() ? "failed (" + e.reason + ")" : to_string(e.state);
}

}  // namespace

std::string csv_text(const std::vector<const Entry*>& all) {
  std::vector<const Entry*> entries = live(all);
  std::set<std::string> params = keys_of(entries, &Entry::params);
  std::set<std::string> metrics = keys_of(entries, &Entry::final_metrics);
  std::string out = "run,state,exit_code,attempts,duration_s,hash";
  for (const std::string& k : params) out += "," + csv_field(k);
  for (const std::string& k : metrics) out += "," + csv_field(k);
  out += "\n";
  for (const Entry* e : entries) {
    out += csv_field(e->folder) + "," + to_string(e->state) + "," +
           (e->exit_code ? std::to_string(*e->exit_code) : "") + "," + std::to_string(e->attempts) + "," +
           duration_text(*e) + "," + e->hash;
    for (const std::string& k : params)
      out += "," + (e->params.contains(k) ? csv_field(value_text(e->params[k])) : "");
    for (const std::string& k : metrics) {
      out += "," + (e->final_metrics.contains(k) ? csv_field(metric_text(e->final_metrics[k])) : "");
    }
    out += "\n";
  }
  return out;
}

std::string runs_table(const std::vector<const Entry*>& all) {
  std::vector<const Entry*> entries = live(all);
  std::vector<std::string> params = varying_keys(entries);
  std::set<std::string> metric_set = keys_of(entries, &Entry::final_metrics);
  std::vector<std::string> header = {"run", "state"};
  header.insert(header.end(), params.begin(), params.end());
  header.insert(header.end(), metric_set.begin(), metric_set.end());
  header.push_back("time_s");
  std::vector<std::vector<std::string>> rows = {header};
  for (const Entry* e : entries) {
    std::vector<std::string> row = {e->folder, state_text(*e)};
    for (const std::string& k : params) row.push_back(e->params.contains(k) ? value_text(e->params[k]) : "");
    for (const std::string& k : metric_set) {
      row.push_back(e->final_metrics.contains(k) ? metric_text(e->final_metrics[k]) : "");
    }
    row.push_back(duration_text(*e));
    rows.push_back(row);
  }
  std::vector<size_t> width(header.size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += row[i] + std::string(width[i] - row[i].size() + 2, ' ');
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  return out;
}

std::string format_duration(double seconds) {
  long s = std::lround(std::max(0.0, seconds));
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  } else if (s >= 60) {
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lds", s);
  }
  return buf;
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
