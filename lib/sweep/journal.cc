#include "sweep/journal.h"

#include <algorithm>

#include "util/durable_file.h"

namespace flor::sweep {
namespace {
constexpr const char* kStateNames[] = {"pending", "running", "done", "failed", "dropped"};
}

const char* to_string(RunState state) { return kStateNames[static_cast<int>(state)]; }

Result<RunState> parse_run_state(const std::string& text) {
  for (int i = 0; i < 5; ++i) {
    if (text == kStateNames[i]) return static_cast<RunState>(i);
  }
  return corrupt("unknown run state '" + text + "'");
}

Json entry_to_json(const Entry& e) {
  Json j = {{"hash", e.hash},
            {"params", e.params},
            {"folder", e.folder},
            {"state", to_string(e.state)},
            {"attempts", e.attempts},
            {"order", e.order},
            {"reason", e.reason},
            {"started", e.started},
            {"ended", e.ended},
            {"slot", e.slot},
            {"pid", e.pid},
            {"pid_start", e.pid_start},
            {"final_metrics", e.final_metrics}};
  j["exit_code"] = e.exit_code ? Json(*e.exit_code) : Json(nullptr);
  j["flor_run"] = e.flor_run ? Json(*e.flor_run) : Json(nullptr);
  return j;
}

Result<Entry> entry_from_json(const Json& j) {
  try {
    Entry e;
    e.hash = j.at("hash").get<std::string>();
    e.params = j.at("params");
    e.folder = j.at("folder").get<std::string>();
    FLOR_ASSIGN_OR_RETURN(e.state, parse_run_state(j.at("state").get<std::string>()));
    e.attempts = j.value("attempts", 0);
    e.order = j.value("order", 0);
    e.reason = j.value("reason", "");
    e.started = j.value("started", 0.0);
    e.ended = j.value("ended", 0.0);
    e.slot = j.value("slot", "");
    e.pid = j.value("pid", 0);
    e.pid_start = j.value("pid_start", uint64_t{0});
    e.final_metrics = j.value("final_metrics", Json::object());
    if (j.contains("exit_code") && !j["exit_code"].is_null()) e.exit_code = j["exit_code"].get<int>();
    if (j.contains("flor_run") && !j["flor_run"].is_null()) e.flor_run = j["flor_run"].get<int64_t>();
    return e;
  } catch (const Json::exception& ex) {
    return corrupt(std::string("bad journal entry: ") + ex.what());
  }
}

Result<Journal> Journal::open(const std::string& path) {
  Journal journal(path);
  if (!file_exists(path)) return journal;
  FLOR_ASSIGN_OR_RETURN(std::string text, read_file(path));
  Json root;
  try {
    root = Json::parse(text);
  } catch (const Json::exception& e) {
    return corrupt("journal " + path + " is not valid JSON (" + e.what() +
                   "); move it away to start the sweep afresh");
  }
  if (root.value("version", 0) != kJournalVersion) {
    return corrupt("journal " + path + " has format version " + std::to_string(root.value("version", 0)) +
                   ", expected " + std::to_string(kJournalVersion));
  }
  for (const Json& j : root.value("entries", Json::array())) {
    Result<Entry> e = entry_from_json(j);
    if (!e.ok()) return e.status().with_context("journal " + path);
    journal.entries_[e->hash] = *e;
  }
  return journal;
}

const Entry* Journal::find(const std::string& hash) const {
  auto it = entries_.find(hash);
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<const Entry*> Journal::entries() const {
  std::vector<const Entry*> out;
  for (const auto& [h, e] : entries_) out.push_back(&e);
  std::stable_sort(out.begin(), out.end(),
                   [](const Entry* a, const Entry* b) { return a->order < b->order; });
  return out;
}

Status Journal::put(Entry entry) {
  std::vector<Entry> one;
  one.push_back(std::move(entry));
  return put_all(std::move(one));
}

Status Journal::put_all(std::vector<Entry> entries) {
  for (Entry& e : entries) entries_[e.hash] = std::move(e);
  return save();
}

Status Journal::save() const {
  Json root = {{"version", kJournalVersion}, {"entries", Json::array()}};
  for (const Entry* e : entries()) root["entries"].push_back(entry_to_json(*e));
  return write_file_atomic(path_, root.dump(1) + "\n");
}

}  // namespace flor::sweep
