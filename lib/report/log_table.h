// The table `flor show` prints: a row per epoch (and per step for per-step
// logs), a column per logged name, recorded values and hindsight values (filled
// in by replays) side by side.
#pragma once

#include <set>
#include <vector>

#include "report/table.h"
#include "store/store.h"

namespace flor::report {

// Rows ordered by (epoch, step); epoch -1 (outside the main loop) first. The
// `step` column appears only when some log has a step. Recorded names come
// first, then hindsight names, each in program order (the statement's
// file:line, then first appearance); hindsight names are marked "*" in the
// header of an aligned table (Mark::kStar). When several replays filled
// the same value, the newest one (highest source run) wins. A name logged
// several times in one epoch without a step (a plain loop inside a block or a
// called function) is shown per step, its occurrences numbered 0, 1, ... in
// the order they were logged; `logs` must be in that order (Store::logs is).
// Steps::kLastOnly: a row per epoch; a name logged per step shows the value of
// the epoch's last step, its header marked "@last".
// Hindsight values whose source is in `diverged` (replays that diverged from
// the record: their values may be wrong) get columns of their own, named
// "<name>@diverged" in every format, so they are never read as the name's.
// Whether hindsight columns are marked "*" (a table for people) or not (csv, json).
enum class Mark { kNone, kStar };
// A row per step, or per epoch with a per-step name's last value ("@last").
enum class Steps { kEach, kLastOnly };
Table log_table(const std::vector<store::LogRow>& logs, Mark mark, Steps steps = Steps::kEach,
                const std::set<int64_t>& diverged = {});

// One name across runs (`flor show --runs`): a row per epoch (and step), a
// column per run ("run 3"), its recorded value or, where it has none, the one
// a replay filled in (the newest; replays in `diverged` are left out: their
// values may be wrong). `runs`: (record id, its logs, as Store::logs gives them).
Table runs_table(const std::vector<std::pair<int64_t, std::vector<store::LogRow>>>& runs, const std::string& name,
                 const std::set<int64_t>& diverged);

// Typed values (store/value.h) as `flor show` prints them: kTable and kCsv
// their short form ("int64[10,10]", "hist[30] mean=...", "image 28x28x1");
// kJson the whole value as JSON (tensors as nested arrays, histograms as
// edges and counts, images as their PNG file's path), which log_table
// carries into JSON cells rendered as they are. Numbers and strings are left
// alone. `dir`: the experiment folder (blob files).
Status show_typed_values(const std::string& dir, Format format, std::vector<store::LogRow>* logs);

// The sources of hindsight values in `logs` that diverged from the record
// (a divergence stored, or counted in an epoch row).
Result<std::set<int64_t>> diverged_sources(store::Store& store, const std::vector<store::LogRow>& logs);

}  // namespace flor::report
