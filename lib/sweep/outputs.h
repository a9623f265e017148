// The files of a sweep (layout in docs/sweep.md):
//
//   FLOR_HOME/<data_name>/sweeps/<sweep-id>/
//     journal.json                 the journal (journal.h)
//     run_data.csv                 one row per permutation
//     plots/<metric>.svg           every run's curve of that metric
//     runs/<folder>/stdout.log, stderr.log
//     runs/<folder>/run_data.json  config, times, final metrics, exit status
//     runs/<folder>/history.json   every logged metric per epoch
//     runs/<folder>/plots/<metric>.svg
//
// Every file is rewritten atomically.
#pragma once

#include <string>
#include <vector>

#include "report/table.h"
#include "sweep/journal.h"
#include "sweep/metrics.h"
#include "util/file_lock.h"

namespace flor::sweep {

class SweepLayout {
 public:
  explicit SweepLayout(std::string root) : root_(std::move(root)) {}
  const std::string& root() const { return root_; }
  std::string journal() const { return root_ + "/journal.json"; }
  std::string csv() const { return root_ + "/run_data.csv"; }
  std::string plots() const { return root_ + "/plots"; }
  std::string run_dir(const std::string& folder) const { return root_ + "/runs/" + folder; }
  std::string stdout_log(const std::string& folder) const { return run_dir(folder) + "/stdout.log"; }
  std::string stderr_log(const std::string& folder) const { return run_dir(folder) + "/stderr.log"; }
  std::string history(const std::string& folder) const { return run_dir(folder) + "/history.json"; }
  std::string run_data(const std::string& folder) const { return run_dir(folder) + "/run_data.json"; }
  std::string run_id_file(const std::string& folder) const { return run_dir(folder) + "/flor_run_id"; }

 private:
  std::string root_;
};

// One sweep process per journal: an exclusive lock on `path`, held until the
// result is destroyed; kFailedPrecondition (naming the likely cause) when another
// process holds it.
Result<FileLock> lock_sweep(const std::string& path);

// FLOR_HOME/<name>/sweeps/<id>.
std::string sweep_root(const std::string& home, const std::string& name, const std::string& id);
// The default id of a sweep: the config's file name without .json, then 8 hex
// digits of its absolute path ("grid-1a2b3c4d"): the same file is the same sweep.
std::string default_sweep_id(const std::string& config_path);

// history.json, run_data.json (the entry plus `extra`: command, store run, ...)
// and a plot per metric in the run's folder.
Status write_run_files(const SweepLayout& layout, const Entry& entry, const History& history,
                       const Json& extra);
// run_data.csv and plots/<metric>.svg comparing every run that has a history.
Status write_sweep_files(const SweepLayout& layout, const Journal& journal);
// A run's history.json; an empty history when there is none.
Result<History> read_history(const std::string& path);

// The runs of every sweep of an experiment, for `flor show NAME --sweep`: as a
// table, "sweep <id> (<root>)" then runs_table, per sweep; as csv or json, one
// data_table over all of them (a `sweep` column first). kNotFound when it has no sweep.
Result<std::string> sweep_tables(const std::string& home, const std::string& name, report::Format format);

}  // namespace flor::sweep
