// After a run ends: its metrics (from the store when `flor run` recorded it,
// else from its output), its files (run_data.json, history.json, plots), and
// the sweep's tag on the store's run.
#pragma once

#include <string>

#include "sweep/journal.h"
#include "sweep/outputs.h"

namespace flor::sweep {

struct CollectContext {
  SweepLayout layout;
  std::string home;  // FLOR_HOME
  std::string name;  // experiment
  std::string sweep_id;
  std::vector<std::string> command;  // as given after `--`
};

// Fills entry->flor_run and entry->final_metrics and writes the run's files.
Status collect_run(const CollectContext& ctx, Entry* entry);

}  // namespace flor::sweep
