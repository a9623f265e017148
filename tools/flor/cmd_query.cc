// flor query: one read-only SQL statement over the store's documented views.
#include <cstdio>

#include "command.h"
#include "context.h"
#include "report/table.h"
#include "store/pg.h"
#include "store/pg_store.h"
#include "store/query.h"

namespace flor::cli {

namespace {

Result<int> cmd_query(Context& ctx) {
  const Args& args = ctx.args;
  const bool all = args.has("--all");
  if (args.positional.size() != (all ? 1u : 2u)) {
    return invalid_argument(all ? "query: with --all, give only the SQL"
                                : "query: give NAME and the SQL (or --all)");
  }
  FLOR_ASSIGN_OR_RETURN(report::Format format, format_value(args));
  if (const std::string url = store::store_url_from_env(); store::is_postgres_url(url)) {
    return failed_precondition("query: flor query reads the SQLite store, and FLOR_STORE names a PostgreSQL one ('" +
                               store::redact_conninfo(url) + "'): query its tables with psql (docs/store-format.md, "
                               "\"PostgreSQL\"), or copy the experiment to SQLite with `flor store migrate --to sqlite` "
                               "and query it there with FLOR_STORE unset");
  }
  const std::string& home = ctx.home;
  const std::string& sql = args.positional.back();
  std::vector<std::string> names;
  if (all) {
    FLOR_ASSIGN_OR_RETURN(auto experiments, store::Store::list(home));
    for (const auto& e : experiments) names.push_back(e.name);
  } else {
    names.push_back(args.positional[0]);
  }
  report::Table t;
  for (const auto& name : names) {
    FLOR_ASSIGN_OR_RETURN(auto store, open_experiment(home, name));  // checks the name, upgrades an old store
    const std::string db = store->dir() + "/flor.db";
    store.reset();
    FLOR_ASSIGN_OR_RETURN(store::QueryResult r, store::query(db, sql));
    if (t.columns.empty()) {
      if (all) t.columns.push_back("experiment");
      t.columns.insert(t.columns.end(), r.columns.begin(), r.columns.end());
    }
    for (auto& row : r.rows) {
      if (all) row.insert(row.begin(), name);
      t.rows.push_back(std::move(row));
    }
  }
  std::fputs(report::render(t, format).c_str(), stdout);
  return 0;
}

}  // namespace

extern const Command kQueryCommand = {
    "query",
    "read-only SQL over the logs, runs and args of experiments",
    "[NAME] SQL",
    "Runs one read-only SQL statement (SQLite) over views of the store:\n"
    "  logs(run, kind, epoch, step, name, value, type, hindsight)\n"
    "       run: the recorded run; kind: scalar, text, tensor, histogram or image;\n"
    "       value: exact text (tensors, histograms, images: their short form)\n"
    "  runs(id, kind, parent, status, vid, started, ended, exit_code)\n"
    "  args(run, name, value)\n"
    "The store is opened read-only: a statement that would write, or more than\n"
    "one statement, is an error and changes nothing.\n",
    {{"--all", nullptr, nullptr, "every experiment in FLOR_HOME (give no NAME), an experiment column first"},
     format_option("table (default), csv or json")},
    "example: flor query mnist \"SELECT epoch, value FROM logs WHERE name='test_acc'\"\n",
    NeedsRepo::kNo,
    NeedsStore::kNo,  // one experiment or all, each opened read-only
    cmd_query,
};

}  // namespace flor::cli
