// flor store migrate: copies experiments between the SQLite store under
// FLOR_HOME and a PostgreSQL one (lib/store/migrate.h).
#include <cstdio>

#include "command.h"
#include "context.h"
#include "store/contract.h"
#include "store/migrate.h"
#include "store/pg.h"
#include "store/pg_store.h"

namespace flor::cli {

namespace {

// "sqlite" for the SQLite store under FLOR_HOME, else the connection string as given.
std::string backend_name(const std::string& url) {
  return url.empty() || url == "sqlite" ? std::string("sqlite (FLOR_HOME)") : store::redact_conninfo(url);
}

Result<int> cmd_store(Context& ctx) {
  const Args& args = ctx.args;
  if (args.positional.empty() || args.positional[0] != "migrate") {
    return invalid_argument("store: the only action is 'migrate': flor store migrate --to URL [NAME]");
  }
  const std::optional<std::string> to = args.value("--to");
  if (!to || to->empty()) {
    return invalid_argument("store migrate: give --to: a PostgreSQL connection string, or 'sqlite' for FLOR_HOME");
  }
  const std::string from = args.value("--from").value_or(store::store_url_from_env());
  const bool from_sqlite = from.empty() || from == "sqlite";
  const bool to_sqlite = *to == "sqlite";
  if (from_sqlite == to_sqlite && (from_sqlite || from == *to)) {
    return invalid_argument("store migrate: the source and the target are the same store (" + backend_name(from) +
                            "): give --to another one (with FLOR_STORE unset the source is SQLite under FLOR_HOME)");
  }
  std::vector<std::string> names;
  if (args.positional.size() > 1) {
    names.push_back(args.positional[1]);
  } else {
    FLOR_ASSIGN_OR_RETURN(auto experiments, store::Store::list_at(from, ctx.home));
    for (const auto& e : experiments) {
      if (!from_sqlite || !store::Store::store_lost(ctx.home, e.name)) names.push_back(e.name);  // lost: no rows
    }
  }
  for (const std::string& name : names) {
    FLOR_ASSIGN_OR_RETURN(auto source, store::Store::open_at(from, ctx.home, name, store::OpenMode::kExisting));
    FLOR_ASSIGN_OR_RETURN(auto target, store::Store::open_at(*to, ctx.home, name, store::OpenMode::kAdopt));
    FLOR_ASSIGN_OR_RETURN(store::MigrateCount n, store::migrate_experiment(*source, *target));
    std::printf("%s: %lld runs copied (%lld log rows), %lld already there\n", name.c_str(),
                static_cast<long long>(n.copied), static_cast<long long>(n.logs), static_cast<long long>(n.present));
  }
  if (names.empty()) std::printf("no experiment in %s\n", backend_name(from).c_str());
  return 0;
}

}  // namespace

extern const Command kStoreCommand = {
    "store",
    "copy experiments between the SQLite store and PostgreSQL",
    "migrate [NAME]",
    "Copies an experiment (or, without NAME, every one) from the current store (FLOR_STORE,\n"
    "else SQLite under FLOR_HOME) into the store --to names, keeping run ids. Each run is\n"
    "copied in one transaction; running it again copies only runs the target lacks, so an\n"
    "interrupted copy is finished by running it again. A run id the target holds for another\n"
    "run is an error. Checkpoint files stay where they are, under FLOR_HOME/NAME/ckpt.\n",
    {{"--to", nullptr, "URL", "the target: a PostgreSQL connection string, or sqlite (FLOR_HOME)"},
     {"--from", nullptr, "URL", "the source instead of FLOR_STORE's: a connection string, or sqlite"}},
    "examples:\n"
    "  flor store migrate --to postgresql://flor@db.lab:5432/flor mnist\n"
    "  FLOR_STORE=postgresql://flor@db.lab:5432/flor flor store migrate --to sqlite\n",
    NeedsRepo::kNo,
    NeedsStore::kNo,
    cmd_store,
};

}  // namespace flor::cli
