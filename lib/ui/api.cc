#include "ui/api.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "git/shadow.h"
#include "report/log_table.h"
#include "report/table.h"
#include "store/pg_store.h"
#include "store/run_info.h"
#include "store/store.h"
#include "store/value.h"
#include "sweep/outputs.h"
#include "util/file.h"

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
  if (!store::postgres_selected() && ::stat((home + "/" + name + "/flor.db").c_str(), &st) != 0)
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

bool is_typed(const std::string& type) {
  return type == store::kTypeTensor || type == store::kTypeTensorSummary || type == store::kTypeHistogram ||
         type == store::kTypeImage;
}

// A content key as the store names value blobs: 16 hex digits, '-', the byte
// count, and ".png" for an image (store.h, LogRow::blob). Nothing else can be
// a file name under ckpt/values, so a key cannot reach outside it.
bool is_image_key(const std::string& key) {
  const std::string suffix = ".png";
  if (key.size() < 16 + 2 + suffix.size() || key.size() > 16 + 1 + 19 + suffix.size()) return false;
  if (key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0 || key[16] != '-') return false;
  auto hex = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f'); };
  auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  return std::all_of(key.begin(), key.begin() + 16, hex) &&
         std::all_of(key.begin() + 17, key.end() - suffix.size(), digit);
}

std::string base64(const std::string& bytes) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 2]);
    out += abc[(n >> 18) & 63];
    out += abc[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? abc[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? abc[n & 63] : '=';
  }
  return out;
}

// Where the series' values come from and how the page gets an image: a URL
// of the image path (flor ui), or the PNG itself as a data: URI (flor report).
struct ValueSource {
  std::string dir;   // the experiment's directory
  std::string name;  // the experiment
  bool embed_images = false;
};

// A typed row as the page draws it: {kind, value}. A histogram: {edges,
// counts}; a whole 2-D tensor: {shape, data}; an image: {src}; any other
// tensor, or a value that cannot be read, its short form as text.
std::pair<std::string, Json> typed_point(const ValueSource& src, const store::LogRow& row) {
  auto v = store::read_value(src.dir, row);
  if (!v.ok()) return {"text", "unreadable: " + v.status().message()};
  switch (v->kind) {
    case store::ValueKind::kScalar: return {"scalar", scalar_value(v->text)};
    case store::ValueKind::kHistogram:
      return {"histogram", Json{{"edges", v->histogram->edges}, {"counts", v->histogram->counts}}};
    case store::ValueKind::kImage: {
      if (!src.embed_images) return {"image", Json{{"src", "/api/experiments/" + src.name + "/values/" + row.blob}}};
      auto png = store::read_payload(src.dir, row);
      if (!png.ok()) return {"text", "unreadable: " + png.status().message()};
      return {"image", Json{{"src", "data:image/png;base64," + base64(*png)}}};
    }
    case store::ValueKind::kTensor:
      if (v->whole() && v->shape.size() == 2) {
        Json data = Json::array();
        for (int64_t r = 0; r < v->shape[0]; ++r) {
          Json line = Json::array();
          for (int64_t c = 0; c < v->shape[1]; ++c) line.push_back(scalar_value(store::element_text(*v, r * v->shape[1] + c)));
          data.push_back(std::move(line));
        }
        return {"tensor", Json{{"shape", v->shape}, {"data", std::move(data)}}};
      }
      break;
    case store::ValueKind::kText: break;
  }
  return {"text", store::short_form(row)};
}

// Values by name. Scalars: [x, y] points split into recorded, hindsight and
// diverged (filled in by a replay that diverged from the record: not to be
// taken for hindsight values); x is the epoch, or for a name logged several
// times an epoch (per step) the global step: epoch * steps + the value's
// place in its epoch, steps = the most values of the name in one epoch.
// Other kinds carry their values as [x, value] (typed_point); a name whose
// values are of several kinds is text: their short forms.
Json series_json(const ValueSource& src, const std::vector<store::LogRow>& logs, const std::set<int64_t>& diverged) {
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
    std::vector<Json> values;
    std::set<std::string> kinds;
    int64_t steps = 1;
    for (const auto* l : rows) {
      int64_t at = l->step >= 0 ? l->step : count[{l->epoch, l->source}];
      count[{l->epoch, l->source}] = at + 1;
      place.push_back(at);
      steps = std::max(steps, at + 1);
      auto [kind, value] = is_scalar_type(l->type) ? std::make_pair(std::string("scalar"), scalar_value(l->value))
                           : is_typed(l->type)     ? typed_point(src, *l)
                                                   : std::make_pair(std::string("text"), Json(l->value));
      kinds.insert(kind);
      values.push_back(std::move(value));
    }
    const std::string kind = kinds.size() == 1 ? *kinds.begin() : "text";
    Json s{{"name", name}, {"kind", kind}, {"axis", steps > 1 ? "step" : "epoch"}};
    Json recorded = Json::array(), hindsight = Json::array(), diverged_values = Json::array();
    for (size_t i = 0; i < rows.size(); ++i) {
      const store::LogRow* l = rows[i];
      int64_t x = steps > 1 ? l->epoch * steps + place[i] : l->epoch;
      Json value = kinds.size() == 1 ? std::move(values[i]) : Json(is_typed(l->type) ? store::short_form(*l) : l->value);
      Json& into = !l->hindsight ? recorded : diverged.count(l->source) ? diverged_values : hindsight;
      into.push_back(Json::array({x, std::move(value)}));
    }
    s["recorded"] = std::move(recorded);
    s["hindsight"] = std::move(hindsight);
    s["diverged"] = std::move(diverged_values);
    out.push_back(std::move(s));
  }
  return out;
}

Result<Json> series_doc(Store& s, const std::string& name, const store::Run& run, bool embed_images) {
  int64_t record = run.kind == store::RunKind::kReplay && run.parent ? *run.parent : run.id;
  FLOR_ASSIGN_OR_RETURN(auto logs, s.logs(record));
  FLOR_ASSIGN_OR_RETURN(auto diverged, report::diverged_sources(s, logs));
  return Json{{"run", run.id}, {"record", record}, {"series", series_json({s.dir(), name, embed_images}, logs, diverged)}};
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

Api::Api(std::string home, std::unique_ptr<git::Repo> repo, bool embed_images)
    : home_(std::move(home)), repo_(std::move(repo)), embed_images_(embed_images) {}

Result<std::string> Api::image(const std::string& name, const std::string& key) const {
  if (!is_image_key(key))
    return invalid_argument("bad image key '" + key + "': a key is 16 hex digits, '-', a byte count and '.png' "
                            "(the src of an image series' value)");
  FLOR_ASSIGN_OR_RETURN(auto s, open_store(home_, name));
  const std::string path = store::blob_path(s->dir(), key);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return not_found("no image '" + key + "' in experiment '" + name + "'");
  return read_file(path);
}

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
                     "/api/experiments/NAME/sweeps, /api/experiments/NAME/runs/ID/series|divergences|diff, "
                     "/api/experiments/NAME/values/KEY)");
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
  return what == "series" ? series_doc(*s, name, run, embed_images_) : divergences_doc(*s, run);
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
