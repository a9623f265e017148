#include "sweep/outputs.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>

#include "sweep/plot.h"
#include "sweep/report.h"
#include "util/durable_file.h"
#include "util/hash.h"

namespace flor::sweep {
namespace fs = std::filesystem;
namespace {

// A metric name as a file name ("val/acc" -> "val-acc").
std::string plot_file(const std::string& dir, const std::string& metric) {
  std::string name;
  for (char c : metric)
    name += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-') ? c : '-';
  return dir + "/" + name + ".svg";
}

Series series_of(const std::string& label, const std::map<int64_t, double>& points) {
  Series s{label, {}};
  for (const auto& [epoch, v] : points) {
    if (epoch >= 0) s.points.emplace_back(static_cast<double>(epoch), v);  // -1: not per epoch
  }
  return s;
}

}  // namespace

Result<FileLock> lock_sweep(const std::string& path) {
  Result<FileLock> lock = FileLock::try_lock(path);
  if (lock.status().code() == Code::kFailedPrecondition) {
    return failed_precondition(lock.status().message() + " (is the same sweep already running?)");
  }
  return lock;
}

std::string sweep_root(const std::string& home, const std::string& name, const std::string& id) {
  return home + "/" + name + "/sweeps/" + id;
}

std::string default_sweep_id(const std::string& config_path) {
  std::error_code ec;
  fs::path abs = fs::weakly_canonical(fs::absolute(config_path, ec), ec);
  std::string stem = fs::path(config_path).stem().string();
  return (stem.empty() ? "sweep" : stem) + "-" + fnv1a_hex(abs.string()).substr(0, 8);
}

Result<History> read_history(const std::string& path) {
  History h;
  if (!file_exists(path)) return h;
  FLOR_ASSIGN_OR_RETURN(std::string text, read_file(path));
  try {
    Json j = Json::parse(text);
    for (const auto& [name, m] : j.at("metrics").items()) {
      const Json& epochs = m.at("epochs");
      const Json& values = m.at("values");
      for (size_t i = 0; i < epochs.size() && i < values.size(); ++i)
        h[name][epochs[i].get<int64_t>()] = values[i].get<double>();
    }
  } catch (const Json::exception& e) {
    return corrupt(path + ": " + e.what());
  }
  return h;
}

Status write_run_files(const SweepLayout& layout, const Entry& entry, const History& history,
                       const Json& extra) {
  const std::string dir = layout.run_dir(entry.folder);
  FLOR_RETURN_IF_ERROR(
      write_file_atomic(layout.history(entry.folder), history_to_json(history).dump(1) + "\n"));
  Json data = entry_to_json(entry);
  data["version"] = 1;
  data["duration_s"] = entry.ended > entry.started ? entry.ended - entry.started : 0.0;
  data["final_metrics"] = final_metrics(history);
  for (const auto& [k, v] : extra.items()) data[k] = v;
  FLOR_RETURN_IF_ERROR(write_file_atomic(layout.run_data(entry.folder), data.dump(1) + "\n"));
  for (const auto& [metric, points] : history) {
    Series s = series_of(entry.folder, points);
    if (s.points.empty()) continue;
    FLOR_RETURN_IF_ERROR(write_file_atomic(plot_file(dir + "/plots", metric),
                                           line_chart_svg(metric + " - " + entry.folder, "epoch", {s})));
  }
  return Status();
}

Status write_sweep_files(const SweepLayout& layout, const Journal& journal) {
  std::vector<const Entry*> entries = journal.entries();
  FLOR_RETURN_IF_ERROR(
      write_file_atomic(layout.csv(), report::render(data_table(entries), report::Format::kCsv)));
  std::map<std::string, std::vector<Series>> by_metric;
  for (const Entry* e : entries) {
    if (e->state != RunState::kDone && e->state != RunState::kFailed) continue;
    FLOR_ASSIGN_OR_RETURN(History h, read_history(layout.history(e->folder)));
    for (const auto& [metric, points] : h) by_metric[metric].push_back(series_of(e->folder, points));
  }
  for (const auto& [metric, series] : by_metric) {
    bool any = false;
    for (const Series& s : series) any = any || !s.points.empty();
    if (!any) continue;
    FLOR_RETURN_IF_ERROR(write_file_atomic(plot_file(layout.plots(), metric),
                                           line_chart_svg(metric + " - all runs", "epoch", series)));
  }
  return Status();
}

Result<std::string> sweep_tables(const std::string& home, const std::string& name, report::Format format) {
  std::string dir = home + "/" + name + "/sweeps";
  std::error_code ec;
  std::vector<fs::path> roots;
  for (const auto& d : fs::directory_iterator(dir, ec)) {
    if (file_exists((d.path() / "journal.json").string())) roots.push_back(d.path());
  }
  if (roots.empty())
    return not_found("experiment '" + name + "' has no sweep (no " + dir + "/*/journal.json)");
  std::sort(roots.begin(), roots.end());
  std::vector<Journal> journals;
  for (const fs::path& root : roots) {
    FLOR_ASSIGN_OR_RETURN(Journal j, Journal::open((root / "journal.json").string()));
    journals.push_back(std::move(j));
  }
  std::string out;
  std::vector<const Entry*> all;  // csv/json: one table over every sweep
  std::vector<std::string> sweeps;
  for (size_t i = 0; i < roots.size(); ++i) {
    std::vector<const Entry*> entries = journals[i].entries();
    all.insert(all.end(), entries.begin(), entries.end());
    sweeps.insert(sweeps.end(), entries.size(), roots[i].filename().string());
    out += (out.empty() ? "" : "\n") + std::string("sweep ") + roots[i].filename().string() + " (" +
           roots[i].string() + ")\n";
    out += report::render(runs_table(entries), report::Format::kTable);
  }
  if (format != report::Format::kTable) return report::render(data_table(all, sweeps), format);
  return out;
}

}  // namespace flor::sweep
