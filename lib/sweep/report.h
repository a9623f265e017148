// What a sweep shows: the CSV over all runs, the table of runs (final output
// and `flor show NAME --sweep`), and the live progress line. Pure functions
// of journal entries: the caller prints or writes them.
#pragma once

#include <string>
#include <vector>

#include "sweep/journal.h"

namespace flor::sweep {

// One row per permutation (dropped ones left out); columns: run, state,
// exit_code, attempts, duration_s, hash, then one per parameter and one per
// final metric (both sorted by name). RFC 4180 quoting.
std::string csv_text(const std::vector<const Entry*>& entries);

// An aligned text table: run, state, the parameters that vary, final metrics.
std::string runs_table(const std::vector<const Entry*>& entries);

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
// "1h02m", "3m05s", "12s".
std::string format_duration(double seconds);

}  // namespace flor::sweep
