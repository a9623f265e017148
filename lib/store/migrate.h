// Copies experiments between stores (SQLite <-> PostgreSQL): `flor store
// migrate`. Run ids are kept; each run is copied in one transaction of the
// target, so an interrupted copy leaves whole runs, and copying again copies
// only the runs the target lacks.
#pragma once

#include <cstdint>
#include <string>

#include "store/store.h"

namespace flor::store {

struct MigrateCount {
  int64_t copied = 0;   // runs written to the target
  int64_t present = 0;  // runs it had already
  int64_t logs = 0;     // log rows copied
};

// Everything run `run` of `from` wrote (RunCopy).
Result<RunCopy> export_run(Store& from, const Run& run);
// Copies every run of `from` that `to` lacks, oldest first. The value files
// the logs name (ckpt/values) must be in `to`'s folder (the same FLOR_HOME):
// a missing one is an error, before anything of that run is written.
Result<MigrateCount> migrate_experiment(Store& from, Store& to);

}  // namespace flor::store
