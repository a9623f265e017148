// flor show: a run's logs as a table, csv or json.
#include <cstdio>

#include "command.h"
#include "context.h"
#include "report/log_table.h"

namespace flor::cli {

Result<int> show_sweeps(const std::string& home, const std::string& name, report::Format format);  // cmd_sweep.cc

namespace {

Result<int> cmd_show(Context& ctx) {
  const Args& args = ctx.args;
  FLOR_ASSIGN_OR_RETURN(report::Format format, format_value(args));
  std::optional<std::string> given;
  if (!args.positional.empty()) given = args.positional[0];
  FLOR_ASSIGN_OR_RETURN(std::string name, name_or_last(given));
  if (args.has("--sweep")) return show_sweeps(ctx.home, name, format);
  FLOR_ASSIGN_OR_RETURN(auto store, open_experiment(ctx.home, name));
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

}  // namespace

extern const Command kShowCommand = {
    "show",
    "a run's logs: epochs x logged names, recorded and hindsight",
    "[NAME]",
    "The logs of a recorded run: a row per epoch (and per step for logs inside a\n"
    "nested loop, or logged several times in an epoch: numbered 0, 1, ... in the\n"
    "order logged), a column per logged name. Values that replays filled in\n"
    "(hindsight logs) sit beside the recorded ones, marked * in a table. Values\n"
    "of a replay that diverged from the record sit in columns of their own,\n"
    "NAME@diverged, in every format. csv and json keep every digit; a table\n"
    "shows 6 significant digits, aligned.\n",
    {
        {"--run", nullptr, "REF", "a run id or a shadow commit prefix (default: the newest record)"},
        format_option("table (default), csv or json"),
        {"--by-epoch", nullptr, nullptr,
         "a table row per epoch only: a name logged per step shows the epoch's last step (its header marked "
         "@last)"},
        {"--sweep", nullptr, nullptr,
         "the runs of NAME's sweeps instead: parameters and final metrics (csv, json: run_data.csv's columns, a "
         "sweep column first)"},
    },
    "",
    NeedsRepo::kNo,
    NeedsStore::kNo,  // --sweep reads the sweep folders, which a sweep without records has without a store
    cmd_show,
};

}  // namespace flor::cli
