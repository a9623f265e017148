// The experiment store in PostgreSQL (FLOR_STORE=postgresql://... or any
// libpq connection string): one database holds every experiment, each row
// carries its experiment's name, run ids count per experiment. Checkpoint
// files (and large value blobs) stay under FLOR_HOME/NAME/ckpt. Schema:
// docs/store-format.md, "PostgreSQL".
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace flor::store {

// The store FLOR_STORE selects: "" (unset) or "sqlite" for SQLite under FLOR_HOME.
std::string store_url_from_env();
bool is_postgres_url(const std::string& url);
// FLOR_STORE names a PostgreSQL store: experiments have no flor.db.
inline bool postgres_selected() { return is_postgres_url(store_url_from_env()); }

Result<std::unique_ptr<Store>> open_pg_store(const std::string& conninfo, const std::string& home,
                                             const std::string& name, OpenMode mode, Env* env);
// Every experiment in the database, with its folder under `home`.
Result<std::vector<Experiment>> list_pg_experiments(const std::string& conninfo, const std::string& home);

}  // namespace flor::store
