// flor show: a run's logs as a table, csv or json.
#include <climits>
#include <cstdio>
#include <set>

#include "command.h"
#include "context.h"
#include "report/log_table.h"
#include "util/number.h"

namespace flor::cli {

Result<int> show_sweeps(const std::string& home, const std::string& name, report::Format format);  // cmd_sweep.cc

namespace {

// --runs all|LIST --name N: one name, a column per record.
Result<int> show_runs(store::Store& store, const std::string& name, const Args& args, report::Format format) {
  const auto wanted = args.value("--name");
  const std::vector<std::string> list = args.list("--runs");
  if (!wanted || list.empty()) return invalid_argument("show: --runs and --name go together: --runs all --name loss");
  if (args.has("--run") || args.has("--by-epoch") || args.has("--sweep"))
    return invalid_argument("show: --runs shows one name per record; --run, --by-epoch and --sweep do not go with it");
  FLOR_ASSIGN_OR_RETURN(auto runs, store.runs());  // newest first
  std::vector<std::pair<int64_t, std::vector<store::LogRow>>> records;
  std::set<int64_t> diverged;
  std::set<int64_t> ids;
  if (!(list.size() == 1 && list[0] == "all")) {
    for (const std::string& id : list) {
      FLOR_ASSIGN_OR_RETURN(int64_t v, parse_integer("--runs", id, 1, INT64_MAX));
      ids.insert(v);
    }
  }
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    if (it->kind != store::RunKind::kRecord || (!ids.empty() && !ids.count(it->id))) continue;
    ids.erase(it->id);
    FLOR_ASSIGN_OR_RETURN(auto logs, store.logs(it->id));
    FLOR_RETURN_IF_ERROR(report::show_typed_values(store.dir(), format, &logs));
    FLOR_ASSIGN_OR_RETURN(auto bad, report::diverged_sources(store, logs));
    diverged.insert(bad.begin(), bad.end());
    records.emplace_back(it->id, std::move(logs));
  }
  if (!ids.empty()) return not_found("show: run " + std::to_string(*ids.begin()) + " is not a record of '" + name + "'");
  report::Table t = report::runs_table(records, *wanted, diverged);
  if (t.rows.empty()) return not_found("show: no run of '" + name + "' logged '" + *wanted + "'");
  std::fputs(report::render(t, format).c_str(), stdout);
  return 0;
}

Result<int> cmd_show(Context& ctx) {
  const Args& args = ctx.args;
  FLOR_ASSIGN_OR_RETURN(report::Format format, format_value(args));
  std::optional<std::string> given;
  if (!args.positional.empty()) given = args.positional[0];
  FLOR_ASSIGN_OR_RETURN(std::string name, name_or_last(given));
  if (args.has("--sweep")) return show_sweeps(ctx.home, name, format);
  FLOR_ASSIGN_OR_RETURN(auto store, open_experiment(ctx.home, name));
  if (args.has("--runs") || args.has("--name")) return show_runs(*store, name, args, format);
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
  report::Table t = report::log_table(logs, table ? report::Mark::kStar : report::Mark::kNone,
                                      table && args.has("--by-epoch") ? report::Steps::kLastOnly : report::Steps::kEach,
                                      diverged);
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
        {"--runs", nullptr, "all|LIST",
         "with --name: that name across records (all, or 3,5,8): a row per epoch, a column per run; recorded "
         "values, else what a replay filled in (flor replay --all-runs)"},
        {"--name", nullptr, "N", "with --runs: the logged name to show"},
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
