#include "ui/api.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <map>
#include <set>
#include <vector>

#include "git/shadow.h"
#include "report/log_table.h"
#include "report/table.h"
#include "store/run_info.h"
#include "store/store.h"
#include "sweep/outputs.h"

namespace flor::ui {
namespace {

using store::Store;

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

Result<int64_t> parse_run_id(const std::string& text) {
  if (text.empty() || text.size() > 18 || !std::all_of(text.begin(), text.end(), ::isdigit))
    return invalid_argument("bad run id '" + text + "': a run id is a number (see /api/experiments/NAME/runs)");
  return std::stoll(text);
}

Result<std::unique_ptr<Store>> open_store(const std::string& home, const std::string& name) {
  FLOR_RETURN_IF_ERROR(Store::check_name(name).with_context("bad experiment name"));
  struct stat st {};
  if (::stat((home + "/" + name + "/flor.db").c_str(), &st) != 0)
    return not_found("no experiment '" + name + "' in " + home + " (see /api/experiments)");
  return Store::open(home, name, store::OpenMode::kExisting);
}

// The run's info document (threads, seeds, segment, sweep, ...) as the store
// keeps it (docs/store-format.md).
Json run_info(const store::Run& run) { return Json::parse(store::encode_run_info(run.info)); }

Result<Json> run_json(Store& s, const store::Run& r) {
  Json j;
  j["id"] = r.id;
  j["kind"] = store::to_string(r.kind);
  j["status"] = store::to_string(r.status);
  j["parent"] = r.parent ? Json(*r.parent) : Json();
  j["vid"] = r.vid;
  j["started"] = r.started;
  j["ended"] = r.ended ? Json(*r.ended) : Json();
  double end = r.ended ? *r.ended : static_cast<double>(std::time(nullptr));
  j["duration_s"] = std::max(0.0, end - r.started);
  j["exit_code"] = r.exit_code ? Json(*r.exit_code) : Json();
  j["command"] = r.command;
  FLOR_ASSIGN_OR_RETURN(auto args, s.args(r.id));
  j["args"] = args;
  j["info"] = run_info(r);
  FLOR_ASSIGN_OR_RETURN(auto epochs, s.epochs(r.id));
  int64_t epoch_count = 0, divergences = 0;
  for (const auto& e : epochs) epoch_count += e.iters, divergences += e.divergences;
  j["epochs"] = epoch_count;
  j["divergences"] = divergences;
  FLOR_ASSIGN_OR_RETURN(auto cks, s.checkpoints(r.id));
  int64_t bytes = 0;
  for (const auto& c : cks) bytes += c.bytes;
  j["checkpoints"] = cks.size();
  j["bytes"] = bytes;
  return j;
}

Result<Json> experiments_json(const std::string& home) {
  FLOR_ASSIGN_OR_RETURN(auto list, Store::list(home));
  Json out = Json::array();
  for (const auto& e : list) {
    Json j{{"name", e.name}};
    auto s = Store::open(home, e.name, store::OpenMode::kExisting);
    auto runs = s.ok() ? (*s)->runs() : Result<std::vector<store::Run>>(s.status());
    if (runs.ok()) {
      j["runs"] = runs->size();
      j["last_started"] = runs->empty() ? Json() : Json(runs->front().started);
    } else {
      j["error"] = runs.status().message();
    }
    out.push_back(std::move(j));
  }
  return out;
}

Result<Json> runs_json(Store& s) {
  FLOR_ASSIGN_OR_RETURN(auto runs, s.runs());
  Json out = Json::array();
  for (const auto& r : runs) {
    FLOR_ASSIGN_OR_RETURN(Json j, run_json(s, r));
    out.push_back(std::move(j));
  }
  return out;
}

Result<Json> sweeps_json(const std::string& home, const std::string& name) {
  auto text = sweep::sweep_tables(home, name, report::Format::kJson);
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) return Json::array();  // no sweep yet
    return text.status();
  }
  Json j = Json::parse(*text, nullptr, false);
  if (j.is_discarded()) return internal_error("the sweep table of '" + name + "' is not JSON");
  return j;
}

// A value as the page plots it: a number, or "nan", "inf", "-inf" (JSON has
// no non-finite numbers; the page marks them).
Json scalar_value(const std::string& text) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str()) return text == "true" ? Json(1) : text == "false" ? Json(0) : Json();
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

bool is_scalar_type(const std::string& type) {
  return type == "int" || type == "float" || type == "double" || type == "bool";
}

// Values by name. Scalars: [x, y] points split into recorded, hindsight and
// diverged (filled in by a replay that diverged from the record: not to be
// taken for hindsight values); x is the epoch, or for a name logged several
// times an epoch (per step) the global step: epoch * steps + the value's
// place in its epoch, steps = the most values of the name in one epoch.
// Other kinds ("text" now) carry their values as [x, text].
Json series_json(const std::vector<store::LogRow>& logs, const std::set<int64_t>& diverged) {
  std::map<std::string, std::vector<const store::LogRow*>> by_name;
  std::vector<std::string> order;
  for (const auto& l : logs) {
    if (!by_name.count(l.name)) order.push_back(l.name);
    by_name[l.name].push_back(&l);
  }
  Json out = Json::array();
  for (const auto& name : order) {
    const auto& rows = by_name[name];
    // The place of each value in its epoch (per source: a replay fills in its own).
    std::map<std::pair<int64_t, int64_t>, int64_t> count;
    std::vector<int64_t> place;
    int64_t steps = 1;
    bool scalar = true;
    for (const auto* l : rows) {
      int64_t at = l->step >= 0 ? l->step : count[{l->epoch, l->source}];
      count[{l->epoch, l->source}] = at + 1;
      place.push_back(at);
      steps = std::max(steps, at + 1);
      scalar = scalar && is_scalar_type(l->type);
    }
    Json s{{"name", name}, {"kind", scalar ? "scalar" : "text"}, {"axis", steps > 1 ? "step" : "epoch"}};
    Json recorded = Json::array(), hindsight = Json::array(), diverged_values = Json::array();
    for (size_t i = 0; i < rows.size(); ++i) {
      const store::LogRow* l = rows[i];
      int64_t x = steps > 1 ? l->epoch * steps + place[i] : l->epoch;
      Json point = Json::array({x, scalar ? scalar_value(l->value) : Json(l->value)});
      Json& into = !l->hindsight ? recorded : diverged.count(l->source) ? diverged_values : hindsight;
      into.push_back(std::move(point));
    }
    s["recorded"] = std::move(recorded);
    s["hindsight"] = std::move(hindsight);
    s["diverged"] = std::move(diverged_values);
    out.push_back(std::move(s));
  }
  return out;
}

Result<Json> series_doc(Store& s, const store::Run& run) {
  int64_t record = run.kind == store::RunKind::kReplay && run.parent ? *run.parent : run.id;
  FLOR_ASSIGN_OR_RETURN(auto logs, s.logs(record));
  FLOR_ASSIGN_OR_RETURN(auto diverged, report::diverged_sources(s, logs));
  return Json{{"run", run.id}, {"record", record}, {"series", series_json(logs, diverged)}};
}

// The run's own divergences and, for a record, those of its replays, in the
// order they happened; "first" marks each replay's first one.
Result<Json> divergences_doc(Store& s, const store::Run& run) {
  std::vector<int64_t> replays{run.id};
  FLOR_ASSIGN_OR_RETURN(auto runs, s.runs());
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    if (it->parent && *it->parent == run.id) replays.push_back(it->id);
  }
  Json out = Json::array();
  for (int64_t id : replays) {
    FLOR_ASSIGN_OR_RETURN(auto ds, s.divergences(id));
    std::stable_sort(ds.begin(), ds.end(), [](const store::Divergence& a, const store::Divergence& b) {
      return std::make_pair(a.epoch, a.step) < std::make_pair(b.epoch, b.step);
    });
    for (size_t i = 0; i < ds.size(); ++i) {
      const auto& d = ds[i];
      out.push_back({{"run", d.run}, {"epoch", d.epoch}, {"step", d.step}, {"name", d.name},
                     {"recorded", d.recorded}, {"replayed", d.replayed}, {"loc", d.loc}, {"first", i == 0}});
    }
  }
  return Json{{"run", run.id}, {"divergences", out}};
}

}  // namespace

Api::Api(std::string home, std::unique_ptr<git::Repo> repo) : home_(std::move(home)), repo_(std::move(repo)) {}

Result<Json> Api::diff(const std::string& name, int64_t id) const {
  FLOR_ASSIGN_OR_RETURN(auto s, open_store(home_, name));
  FLOR_ASSIGN_OR_RETURN(store::Run run, s->run(id));
  FLOR_ASSIGN_OR_RETURN(auto runs, s->runs());  // newest first: the previous one is the next older
  const store::Run* previous = nullptr;
  for (const auto& r : runs) {
    if (r.id < id && !r.vid.empty()) {
      previous = &r;
      break;
    }
  }
  Json j{{"run", id}, {"vid", run.vid}, {"previous", previous ? Json(previous->id) : Json()},
         {"previous_vid", previous ? previous->vid : ""}, {"patch", ""}};
  if (!previous || run.vid.empty()) return j;
  if (!repo_)
    return not_found("no git repository to read run " + std::to_string(id) +
                     "'s version from: start flor ui in the repository of the runs");
  std::lock_guard<std::mutex> lock(repo_mu_);
  FLOR_ASSIGN_OR_RETURN(std::string patch, git::diff_commits(*repo_, previous->vid, run.vid));
  j["patch"] = patch;
  return j;
}

Result<Json> Api::get(const std::string& path) const {
  std::vector<std::string> p = split_path(path);  // "", "api", "experiments", ...
  for (const auto& part : p) {
    if (part == "..") return invalid_argument("bad path '" + path + "': '..' is not allowed");
  }
  auto unknown = [&] {
    return not_found("no such API path '" + path + "' (paths: /api/experiments, /api/experiments/NAME/runs, "
                     "/api/experiments/NAME/sweeps, /api/experiments/NAME/runs/ID/series|divergences|diff)");
  };
  if (p.size() < 3 || !p[0].empty() || p[1] != "api" || p[2] != "experiments") return unknown();
  if (p.size() == 3) return experiments_json(home_);
  const std::string& name = p[3];
  if (p.size() == 5 && p[4] == "sweeps") {
    FLOR_RETURN_IF_ERROR(Store::check_name(name).with_context("bad experiment name"));
    return sweeps_json(home_, name);
  }
  if (p.size() < 5 || p[4] != "runs") return unknown();
  if (p.size() == 5) {
    FLOR_ASSIGN_OR_RETURN(auto s, open_store(home_, name));
    return runs_json(*s);
  }
  if (p.size() != 7) return unknown();
  FLOR_ASSIGN_OR_RETURN(int64_t id, parse_run_id(p[5]));
  const std::string& what = p[6];
  if (what != "series" && what != "divergences" && what != "diff") return unknown();
  if (what == "diff") return diff(name, id);
  FLOR_ASSIGN_OR_RETURN(auto s, open_store(home_, name));
  FLOR_ASSIGN_OR_RETURN(store::Run run, s->run(id));
  return what == "series" ? series_doc(*s, run) : divergences_doc(*s, run);
}

int http_status(const Status& status) {
  switch (status.code()) {
    case Code::kInvalidArgument: return 400;
    case Code::kNotFound: return 404;
    default: return 500;
  }
}

Json error_json(const Status& status) { return Json{{"error", status.message()}}; }

}  // namespace flor::ui
