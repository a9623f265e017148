// flor log [NAME] [--format F]: the runs of an experiment, each a version on flor.shadow.
#include <cstdio>

#include "context.h"
#include "report/table.h"

namespace flor::cli {
namespace {

report::Cell segment_of(const store::Run& r) {
  return r.info.segment ? report::Cell(to_string(*r.info.segment)) : std::nullopt;
}

}  // namespace

Result<int> cmd_log(const std::vector<std::string>& words) {
  FLOR_ASSIGN_OR_RETURN(Args args, parse_args("log", words, {kFormatOption}));
  FLOR_RETURN_IF_ERROR(expect_positionals("log", args, 0, 1));
  FLOR_ASSIGN_OR_RETURN(report::Format format, format_value(args));
  std::optional<std::string> given;
  if (!args.positional.empty()) given = args.positional[0];
  FLOR_ASSIGN_OR_RETURN(std::string name, name_or_last(given));
  FLOR_ASSIGN_OR_RETURN(auto store, open_experiment(flor_home(), name));
  FLOR_ASSIGN_OR_RETURN(auto runs, store->runs());
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

}  // namespace flor::cli
