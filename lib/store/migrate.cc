#include "store/migrate.h"

#include <unistd.h>

#include <algorithm>

#include "store/value.h"

namespace flor::store {

Result<RunCopy> export_run(Store& from, const Run& run) {
  RunCopy c;
  c.run = run;
  FLOR_ASSIGN_OR_RETURN(c.args, from.args(run.id));
  // Its logs: its own (a record's), and a replay's hindsight logs, kept under the recorded run.
  std::vector<int64_t> under{run.id};
  if (run.parent) under.push_back(*run.parent);
  for (int64_t r : under) {
    FLOR_ASSIGN_OR_RETURN(std::vector<LogRow> logs, from.logs(r));
    for (LogRow& l : logs) {
      if (l.source == run.id) c.logs.push_back(std::move(l));
    }
  }
  FLOR_ASSIGN_OR_RETURN(c.checkpoints, from.checkpoints(run.id));
  FLOR_ASSIGN_OR_RETURN(c.epochs, from.epochs(run.id));
  FLOR_ASSIGN_OR_RETURN(c.divergences, from.divergences(run.id));
  FLOR_ASSIGN_OR_RETURN(c.blobs, from.blobs(run.id));
  return c;
}

Result<MigrateCount> migrate_experiment(Store& from, Store& to) {
  FLOR_ASSIGN_OR_RETURN(std::vector<Run> runs, from.runs());
  std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) { return a.id < b.id; });
  MigrateCount n;
  for (const Run& run : runs) {
    FLOR_ASSIGN_OR_RETURN(RunCopy c, export_run(from, run));
    for (const LogRow& l : c.logs) {
      if (l.blob.empty()) continue;
      const std::string path = blob_path(to.dir(), l.blob);
      if (::access(path.c_str(), R_OK) != 0) {
        return failed_precondition("run " + std::to_string(run.id) + " logs a value kept in " + path +
                                   ", which is missing: copy " + from.dir() + "/ckpt/values to " + to.dir() +
                                   "/ckpt/values first");
      }
    }
    FLOR_ASSIGN_OR_RETURN(bool copied, to.import_run(c));
    if (copied) {
      ++n.copied;
      n.logs += static_cast<int64_t>(c.logs.size());
    } else {
      ++n.present;
    }
  }
  return n;
}

}  // namespace flor::store
