// What `flor replay -j N` shows while and after its workers run: one progress
// line, and a summary read back from the store.
#pragma once

#include <string>
#include <vector>

#include "plan/plan.h"
#include "sched/process.h"
#include "store/store.h"

namespace flor::replay {

struct WorkerView {
  int index = 1;              // P of P/N
  int64_t run = 0;
  plan::SegmentPlan plan;
  std::string slot;           // "cpu 0", "gpu 1"
  std::string log;            // its log file
  std::string label;          // its name on the progress line; "" = "w<index>"
};

// "replay mnist: w1 2/5  w2 1/5  [3/10 epochs, ETA 12s]". A worker with run 0
// has not started yet (a later wave of --all-runs): 0 epochs done.
std::string progress_line(store::Store& store, const std::string& name, const std::vector<WorkerView>& workers,
                          double elapsed_s);

// How a record that did not complete ended, and what it has to replay:
// "run 1 failed (exit 134) after epoch 1: replay covers its epochs 0-1 only".
// "" for a complete record. `recorded_epochs`: its finished epochs (RecordShape).
std::string record_outcome(const store::Run& record, int64_t recorded_epochs);

// The exit status of a replay whose values all came out right but that had
// to refuse checkpoint(s): the store is damaged, the replay paid for it.
inline constexpr int kExitRefused = 4;

// The exit status of `flor replay --all-runs` & co. when some selected run
// was not replayed (its version could not take the new statements, or did
// not build) and the others succeeded.
inline constexpr int kExitPartial = 5;

struct ReplaySummary {
  std::string text;  // what to print
  // 0 ok, 1 a worker failed, 3 divergence, 4 every value reproduced but a
  // checkpoint was refused (corrupt, or another epoch's), 130 interrupted
  int exit_code = 0;
  // The same, for a table row per run (flor replay --all-runs):
  int64_t epochs_done = 0, epochs_total = 0;
  int64_t new_values = 0;  // the hindsight values the workers stored
  std::string fidelity;    // "ok", "diverged", "incomplete"; ", N checkpoint(s) refused" after ok
};

// The summary's verdict never claims more than was compared: epochs that did
// not run, and a record that stopped early, are said as such. With
// OnDivergence::kReport (--tolerate) a divergence is reported, not exit 3.
enum class OnDivergence { kFail, kReport };
ReplaySummary summarize(store::Store& store, const store::Run& record, int64_t recorded_epochs,
                        const std::vector<WorkerView>& workers, const std::vector<sched::ExitInfo>& exits,
                        double elapsed_s, OnDivergence on_divergence);

}  // namespace flor::replay
