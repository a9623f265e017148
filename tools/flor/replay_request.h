// flor replay's request and what is known before a replay writes anything,
// shared by the replay of one record (cmd_replay.cc) and the replay of many
// records, each in its own version (replay_versions.cc).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "command.h"
#include "context.h"
#include "git/shadow.h"
#include "plan/plan.h"
#include "replay/report.h"
#include "replay/transplant.h"
#include "replay/workers.h"
#include "sched/cluster.h"
#include "sched/devices.h"
#include "sched/process.h"
#include "store/contract.h"
#include "store/store.h"

namespace flor::cli {

struct RunSelection {
  std::vector<int64_t> ids;   // --runs (empty: every record)
  int last = 0;               // --last N (0: no limit)
  double since = 0;           // --since DATE, unix seconds (0: no limit)
};

struct ReplayRequest {
  std::string ckpt_url;  // where checkpoint files missing here come from
  std::optional<std::string> name;
  std::optional<Segment> segment;  // P/N on the command line
  int jobs = 1;
  bool jobs_given = false;  // -j on the command line: this process dispatches, whatever the launcher says
  // Whether -j is fitted to the GPUs' memory (fitting_workers); --all-runs fits its one queue instead.
  bool fit_gpus = true;
  std::string run_ref;
  std::optional<InitMode> init;  // --strong, --weak (unset: plan::init_mode decides from the record)
  std::vector<std::string> probes;
  bool find_probes = true;  // neither --probe nor --no-probes: flor-instrument finds them
  // `probes` names every block that must run, a step loop included
  // (FLOR_PROBE_COMPLETE): --probe and --no-probes say so, and automatic
  // probes when the analysis covered every changed file (FoundProbes::complete).
  bool probes_complete = false;
  std::optional<EpochRange> epochs;
  replay::OnDivergence on_divergence = replay::OnDivergence::kFail;  // --tolerate: kReport
  std::optional<int> slurm;
  std::optional<int> count;
  std::chrono::milliseconds kill_after = sched::kDefaultKillAfter;
  std::vector<std::string> command;  // empty: the recorded one
  std::string cwd;                   // where to start it: the record's folder for its command
  int64_t snapshot_max_bytes = git::kDefaultSnapshotMaxBytes;
  // Hindsight across versions: which records (--all-runs, --runs, --last, --since).
  std::optional<RunSelection> versions;
  std::string build;     // --build: the command that builds a version in its folder
  bool dry_run = false;  // --dry-run: show each version's transplanted diff, replay nothing
  replay::Take take = replay::Take::kLogStatements;  // --transplant logs|all
};

// Everything known before anything is written.
struct Prepared {
  ReplayRequest req;
  git::Repo repo;
  std::string name;
  std::string home;
  std::unique_ptr<store::Store> store;
  store::Run record;
  std::string program;  // the command's argv[0], resolved
  std::optional<sched::LauncherSegment> launcher;
  std::vector<plan::SegmentPlan> plans;  // one per worker of this process
  std::vector<int> indices;              // their P
  int count = 1;                         // N
  int threads = 1;
  int64_t recorded_epochs = 0;  // the record's finished epochs
  sched::Devices devices;       // what the workers run on (discovered for -j N, N > 1, without --all-runs)
};

// The request's record, its plan of segments and their workers, its program.
Result<Prepared> prepare(ReplayRequest req, git::Repo repo, const std::string& home);

// How many of `workers` start on `devices`: all, unless they share GPUs whose
// free memory holds fewer at `need_mib` each (sched::share_gpus, said on stderr).
int fitting_workers(const sched::Devices& devices, int workers, std::optional<int64_t> need_mib);

// Without --probe: the blocks that gained log calls since the record run, the others are skipped; so
// is a step loop they do not name, when the analysis says they name all that must run.
// `tree`: the folder holding vid's files (the work tree, or a version's folder).
void probe_new_logs(Prepared& p, const std::string& vid, const std::string& tree);

// Sets up plan i's worker: its run, contract and device; without `slot`, one
// worker that runs in this process (output live, devices inherited).
Result<std::pair<replay::Worker, replay::WorkerView>> make_worker(const Prepared& p, const git::Snapshot& snap,
                                                                  size_t i, const sched::Slot* slot);

// Runs the workers with one progress line over all of them.
Result<std::vector<sched::ExitInfo>> run_with_progress(store::Store& store, const std::string& name,
                                                       const std::vector<replay::Worker>& workers,
                                                       const std::vector<replay::WorkerView>& views,
                                                       std::chrono::milliseconds kill_after,
                                                       const replay::NextWorker& next = {});

// Hindsight across versions: --all-runs, --runs, --last, --since.
Result<int> replay_versions(Context& ctx, ReplayRequest req);

}  // namespace flor::cli
