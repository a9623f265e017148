// flor dump: everything stored for one run.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "command.h"
#include "context.h"

namespace flor::cli {
namespace {

using nlohmann::ordered_json;

ordered_json run_json(const store::Run& r) {
  ordered_json j;
  j["id"] = r.id;
  j["name"] = r.name;
  j["kind"] = store::to_string(r.kind);
  j["parent"] = r.parent ? ordered_json(*r.parent) : ordered_json();
  j["status"] = store::to_string(r.status);
  j["vid"] = r.vid;
  j["started"] = r.started;
  j["ended"] = r.ended ? ordered_json(*r.ended) : ordered_json();
  j["exit_code"] = r.exit_code ? ordered_json(*r.exit_code) : ordered_json();
  j["command"] = r.command;
  j["process"] = r.process ? ordered_json{{"host", r.process->host}, {"pid", r.process->pid},
                                          {"start", r.process->start}}
                           : ordered_json();
  j["info"] = ordered_json::parse(store::encode_run_info(r.info));
  return j;
}

Result<ordered_json> dump_json(store::Store& store, const store::Run& run) {
  ordered_json j;
  j["run"] = run_json(run);
  FLOR_ASSIGN_OR_RETURN(auto args, store.args(run.id));
  j["args"] = args;
  FLOR_ASSIGN_OR_RETURN(auto epochs, store.epochs(run.id));
  j["epochs"] = ordered_json::array();
  for (const auto& e : epochs) {
    j["epochs"].push_back({{"epoch", e.epoch}, {"iters", e.iters}, {"seconds", e.seconds}, {"ended", e.ended}, {"blocks", e.blocks},
                           {"skipped", e.skipped}, {"executed", e.executed}, {"divergences", e.divergences},
                           {"note", e.note}});
  }
  FLOR_ASSIGN_OR_RETURN(auto cks, store.checkpoints(run.id));
  j["checkpoints"] = ordered_json::array();
  for (const auto& c : cks) {
    j["checkpoints"].push_back({{"epoch", c.epoch}, {"seq", c.seq}, {"block", c.block}, {"path", c.path},
                                {"bytes", c.bytes}, {"state_bytes", c.state_bytes}, {"stall_s", c.stall_s},
                                {"write_s", c.write_s}, {"reason", c.reason}, {"location", c.location}});
  }
  FLOR_ASSIGN_OR_RETURN(auto logs, store.logs(run.kind == store::RunKind::kReplay && run.parent ? *run.parent : run.id));
  j["logs"] = ordered_json::array();
  for (const auto& l : logs) {
    // A record lists its own values and its hindsight ones; a replay only what it produced.
    if (run.kind == store::RunKind::kReplay && l.source != run.id) continue;
    j["logs"].push_back({{"epoch", l.epoch}, {"step", l.step}, {"name", l.name}, {"value", l.value},
                         {"type", l.type}, {"loc", l.loc}, {"hindsight", l.hindsight}, {"source", l.source}});
  }
  FLOR_ASSIGN_OR_RETURN(auto divs, store.divergences(run.id));
  j["divergences"] = ordered_json::array();
  for (const auto& d : divs) {
    j["divergences"].push_back({{"epoch", d.epoch}, {"step", d.step}, {"name", d.name}, {"recorded", d.recorded},
                                {"replayed", d.replayed}, {"loc", d.loc}});
  }
  j["log_file"] = log_path(store, run.id);
  return j;
}

// Text: scalars as "key: value", arrays of objects as one line per element.
void print_text(const ordered_json& j) {
  const auto& r = j["run"];
  std::printf("run %lld of '%s'\n", r["id"].get<long long>(), r["name"].get<std::string>().c_str());
  for (auto it = r.begin(); it != r.end(); ++it) {
    if (it.key() == "id" || it.key() == "name") continue;
    std::string v = it.key() == "started" || (it.key() == "ended" && it->is_number()) ? format_time(it->get<double>())
                    : it.key() == "command" ? join_command(it->get<std::vector<std::string>>())
                    : it->is_string()       ? it->get<std::string>()
                                            : it->dump();
    std::printf("  %-10s %s\n", it.key().c_str(), v.c_str());
  }
  std::printf("log file: %s\n", j["log_file"].get<std::string>().c_str());
  std::printf("args: %s\n", j["args"].dump().c_str());
  for (const char* section : {"epochs", "checkpoints", "logs", "divergences"}) {
    std::printf("%s: %zu\n", section, j[section].size());
    for (const auto& row : j[section]) {
      std::string line;
      for (auto it = row.begin(); it != row.end(); ++it) {
        line += " " + it.key() + "=" + (it->is_string() ? it->get<std::string>() : it->dump());
      }
      std::printf("  %s\n", line.c_str() + 1);
    }
  }
}

Result<int> cmd_dump(Context& ctx) {
  FLOR_ASSIGN_OR_RETURN(ordered_json j, dump_json(*ctx.store, *ctx.run));
  if (ctx.args.has("--json")) {
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    print_text(j);
  }
  return 0;
}

}  // namespace

extern const Command kDumpCommand = {
    "dump",
    "everything stored for a run",
    "RUN",
    "Everything stored for a run: its row, info, arguments, epochs, checkpoints,\n"
    "logs and divergences. RUN is a run id of the experiment last used in this\n"
    "repository, NAME (its newest record) or NAME:REF (a run id or a shadow\n"
    "commit prefix).\n",
    {{"--json", nullptr, nullptr, "one JSON object instead of text"}},
    "",
    NeedsRepo::kNo,
    NeedsStore::kRun,
    cmd_dump,
};

}  // namespace flor::cli
