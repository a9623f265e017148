// What a sweep shows: the data over all runs (run_data.csv, and `flor show
// NAME --sweep --format csv|json`), the table of runs for reading (final output
// and `flor show NAME --sweep`), and the live progress line. Pure functions
// of journal entries: the caller renders (report/table.h), prints or writes them.
#pragma once

#include <string>
#include <vector>

#include "report/table.h"
#include "sweep/journal.h"
#include "util/format.h"  // format_duration: the ETA of progress_line

namespace flor::sweep {

// One row per permutation (dropped ones left out); columns: run, state,
// exit_code, attempts, duration_s, hash, then one per parameter and one per
// final metric (both sorted by name). Numbers keep every digit (JSON's
// shortest exact text). `sweeps`, when given, names each entry's sweep: a
// first column `sweep` (several sweeps in one table).
report::Table data_table(const std::vector<const Entry*>& entries, const std::vector<std::string>& sweeps = {});

// For reading: run, state, the parameters that vary, final metrics, time_s.
report::Table runs_table(const std::vector<const Entry*>& entries);

struct Progress {
  int done = 0, running = 0, queued = 0, failed = 0;
  double eta_s = -1;  // < 0: unknown (nothing finished yet)
};
// "sweep: 3 done, 2 running, 1 queued, 0 failed, ETA 1m20s"
std::string progress_line(const Progress& p);
// Seconds left: the mean duration of finished runs times the waves of runs
// still to go on `slots` slots, minus what the running ones have done.
double estimate_eta(const std::vector<double>& finished_durations, const std::vector<double>& running_elapsed,
                    int queued, int slots);

}  // namespace flor::sweep
