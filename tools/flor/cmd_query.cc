// flor query NAME "SQL" [--format table|csv|json] | flor query --all "SQL"
#include <cstdio>

#include "context.h"
#include "report/table.h"
#include "store/query.h"

namespace flor::cli {

Result<int> cmd_query(const std::vector<std::string>& words) {
  FLOR_ASSIGN_OR_RETURN(Args args, parse_args("query", words, {kFormatOption, {"--all", nullptr, Takes::kFlag}}));
  const bool all = args.has("--all");
  FLOR_RETURN_IF_ERROR(expect_positionals("query", args, all ? 1 : 2, all ? 1 : 2));
  FLOR_ASSIGN_OR_RETURN(report::Format format, format_value(args));
  const std::string home = flor_home();
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

}  // namespace flor::cli
