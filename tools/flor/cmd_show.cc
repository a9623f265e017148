// flor show [NAME] [--run REF] [--format table|csv|json] [--by-epoch] [--sweep]
#include <cstdio>

#include "context.h"
#include "report/log_table.h"

namespace flor::cli {

Result<int> show_sweeps(const std::string& name, report::Format format);  // cmd_sweep.cc

Result<int> cmd_show(const std::vector<std::string>& words) {
  FLOR_ASSIGN_OR_RETURN(Args args, parse_args("show", words,
                                              {{"--run", nullptr, Takes::kValue},
                                               kFormatOption,
                                               {"--sweep", nullptr, Takes::kFlag},
                                               {"--by-epoch", nullptr, Takes::kFlag}}));
  FLOR_RETURN_IF_ERROR(expect_positionals("show", args, 0, 1));
  FLOR_ASSIGN_OR_RETURN(report::Format format, format_value(args));
  std::optional<std::string> given;
  if (!args.positional.empty()) given = args.positional[0];
  FLOR_ASSIGN_OR_RETURN(std::string name, name_or_last(given));
  if (args.has("--sweep")) return show_sweeps(name, format);
  FLOR_ASSIGN_OR_RETURN(auto store, open_experiment(flor_home(), name));
  FLOR_ASSIGN_OR_RETURN(store::Run run, find_run(*store, args.value("--run").value_or("")));
  // A replay's values live with the record it replayed.
  int64_t record = run.kind == store::RunKind::kReplay && run.parent ? *run.parent : run.id;
  FLOR_ASSIGN_OR_RETURN(auto logs, store->logs(record));
  FLOR_RETURN_IF_ERROR(report::show_typed_values(store->dir(), format, &logs));
  if (logs.empty() && format == report::Format::kTable) {
    std::printf("run %lld of '%s' has no logs yet\n", static_cast<long long>(record), name.c_str());
    return 0;
  }
  bool table = format == report::Format::kTable;
  // Values of replays that diverged go to "<name>@diverged" columns.
  FLOR_ASSIGN_OR_RETURN(auto diverged, report::diverged_sources(*store, logs));
  report::Table t = report::log_table(logs, table, table && args.has("--by-epoch"), diverged);
  std::fputs(report::render(t, format).c_str(), stdout);
  return 0;
}

}  // namespace flor::cli
