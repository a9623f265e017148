// flor log: the runs of an experiment, each a version on flor.shadow.
#include <cstdio>

#include "command.h"
#include "context.h"
#include "report/table.h"

namespace flor::cli {
namespace {

report::Cell segment_of(const store::Run& r) {
  return r.info.segment ? report::Cell(to_string(*r.info.segment)) : std::nullopt;
}

Result<int> cmd_log(Context& ctx) {
  FLOR_ASSIGN_OR_RETURN(report::Format format, format_value(ctx.args));
  FLOR_ASSIGN_OR_RETURN(auto runs, ctx.store->runs());
  report::Table t;
  t.columns = {"run", "commit", "date", "status", "kind", "of", "segment", "command"};
  for (const auto& r : runs) {
    t.rows.push_back({std::to_string(r.id), r.vid.empty() ? std::nullopt : report::Cell(short_id(r.vid)),
                      format_time(r.started), std::string(store::to_string(r.status)), std::string(store::to_string(r.kind)),
                      r.parent ? report::Cell(std::to_string(*r.parent)) : std::nullopt,
                      segment_of(r), join_command(r.command)});
  }
  std::fputs(report::render(t, format).c_str(), stdout);
  for (const auto& r : runs) {
    if (r.status != store::RunStatus::kDead) continue;
    std::fprintf(stderr, "flor: run %lld is dead: its process (pid %lld on %s) ended without finishing it\n",
                 static_cast<long long>(r.id), static_cast<long long>(r.process->pid), r.process->host.c_str());
  }
  return 0;
}

}  // namespace

extern const Command kLogCommand = {
    "log",
    "the versions (runs) of an experiment on the shadow branch",
    "[NAME]",
    "The versions of experiment NAME on the shadow branch, newest first: run,\n"
    "commit, date, status, kind (record or replay), segment and command.\n"
    "\n"
    "status: running, complete, failed, interrupted (by the driver), or dead: the\n"
    "run's process on this host ended without finishing it (killed); any command\n"
    "that reads such a run stores it as dead.\n",
    {format_option("table (default), csv or json")},
    "",
    NeedsRepo::kNo,
    NeedsStore::kExperiment,
    cmd_log,
};

}  // namespace flor::cli
