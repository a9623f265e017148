// flor run: record a run.
#include <cstdio>
#include <fstream>

#include "command.h"
#include "context.h"
#include "git/shadow.h"
#include "replay/workers.h"
#include "sched/process.h"
#include "snapshot.h"

namespace flor::cli {
namespace {

using replay::Worker;

struct RunRequest {
  std::string name;
  double eps = kDefaultEps;
  int threads = 1;
  std::string ckpt_url;
  std::chrono::milliseconds kill_after = sched::kDefaultKillAfter;
  int64_t snapshot_max_bytes = git::kDefaultSnapshotMaxBytes;
  std::vector<std::string> command;
};

// Every check that needs no writing, so bad input leaves no trace.
Result<RunRequest> parse_request(const Args& args) {
  RunRequest req;
  req.name = args.positional[0];
  FLOR_RETURN_IF_ERROR(store::Store::check_name(req.name));
  if (!args.has_command || args.command.empty()) {
    return invalid_argument("run: missing command: flor run " + req.name + " -- CMD [ARGS...]");
  }
  req.command = args.command;
  FLOR_RETURN_IF_ERROR(sched::resolve_command(req.command[0], process_env()).status());
  FLOR_ASSIGN_OR_RETURN(auto eps, args.real_value("--eps", 0, 1));
  req.eps = eps.value_or(kDefaultEps);
  FLOR_ASSIGN_OR_RETURN(auto threads, args.int_value("--threads", 1, kMaxThreads));
  req.threads = threads.value_or(1);
  FLOR_ASSIGN_OR_RETURN(req.kill_after, kill_after_value("run", args));
  FLOR_ASSIGN_OR_RETURN(req.ckpt_url, ckpt_url_value("run", args));
  FLOR_ASSIGN_OR_RETURN(req.snapshot_max_bytes, snapshot_max_bytes(args));
  return req;
}

Result<int> cmd_run(Context& ctx) {
  FLOR_ASSIGN_OR_RETURN(RunRequest req, parse_request(ctx.args));
  const git::Repo& repo = *ctx.repo;
  const std::string& home = ctx.home;

  // The store first: a FLOR_HOME that cannot be written must leave no commit on flor.shadow.
  FLOR_ASSIGN_OR_RETURN(auto store, store::Store::open(home, req.name));
  FLOR_ASSIGN_OR_RETURN(git::Snapshot snap,
                        take_snapshot(repo, "flor record " + req.name + ": " + join_command(req.command), home,
                                      req.snapshot_max_bytes));
  const std::string& vid = snap.commit;
  store::Run row;
  row.name = req.name;
  row.kind = store::RunKind::kRecord;
  row.vid = vid;
  row.started = now_seconds();
  row.command = req.command;
  row.info.cwd = cwd_in_repo(repo);
  add_snapshot_info(snap, &row.info);
  FLOR_ASSIGN_OR_RETURN(int64_t id, store->create_run(row));
  FLOR_RETURN_IF_ERROR(git::write_last_name(repo, req.name));
  FLOR_RETURN_IF_ERROR(replay::ensure_log_dir(*store));

  Contract c;
  c.mode = Mode::kRecord;
  c.name = req.name;
  c.home = home;
  c.store = process_env()(kEnvStore).value_or("");
  c.run_id = id;
  c.eps = req.eps;
  c.threads = req.threads;
  c.vid = vid;
  c.ckpt_url = req.ckpt_url;
  Worker w{id, sched::SpawnSpec{
                   req.command, replay::training_env(c, req.threads), log_path(*store, id), sched::Echo::kLive, {}}};
  std::fprintf(stderr, "flor: recording run %lld of '%s' (version %s)\n", static_cast<long long>(id),
               req.name.c_str(), short_id(vid).c_str());
  if (auto path = process_env()(kEnvRunIdFile)) {
    std::ofstream out(*path, std::ios::trunc);
    if (!(out << id << "\n"))
      std::fprintf(stderr, "flor: warning: cannot write the run id to %s\n", path->c_str());
  }
  FLOR_ASSIGN_OR_RETURN(auto exits,
                        replay::run_workers(*store, {w}, nullptr, std::chrono::milliseconds(1000), req.kill_after));
  FLOR_ASSIGN_OR_RETURN(store::Run done, store->run(id));
  const std::optional<int64_t> lost = done.info.logs_not_stored;  // the runtime could not store them
  std::fprintf(stderr, "flor: run %lld of '%s' %s (exit %d)%s; log: %s\n", static_cast<long long>(id),
               req.name.c_str(), store::to_string(done.status), exits[0].exit_code,
               lost ? (": " + std::to_string(*lost) + " log rows could not be stored").c_str() : "",
               log_path(*store, id).c_str());
  // The program's status, unless it succeeded but its run did not (logs lost): scripts must see that.
  if (exits[0].exit_code == 0 && done.status == store::RunStatus::kFailed) return 1;
  return exits[0].exit_code;
}

}  // namespace

extern const Command kRunCommand = {
    "run",
    "record a run: snapshot the code, start the program, keep its logs",
    "NAME -- CMD [ARGS...]",
    "Records a run of experiment NAME: commits the work tree (tracked files and\n"
    "untracked files that .gitignore does not exclude) to the shadow branch\n"
    "flor.shadow without touching HEAD, the index or any file, then starts CMD\n"
    "directly (no shell) with the flor environment set. CMD's output is kept in\n"
    "FLOR_HOME/NAME/logs/run-ID.out and shown as it comes: on a terminal, CMD\n"
    "writes to a pseudo-terminal, so it sees a terminal (printf is line-buffered,\n"
    "colours and progress bars stay on); into a file or pipe, CMD gets a pipe and\n"
    "its C library may buffer. Ctrl-C, SIGTERM and SIGHUP are passed on to CMD\n"
    "(and its child processes) and the run is marked interrupted; CMD still\n"
    "running S seconds later is killed. CMD never outlives flor: when flor is\n"
    "killed, so is CMD.\n",
    {
        {"--eps", nullptr, "E",
         "checkpoint overhead budget, a fraction of compute time: a number from 0 to 1 (default 1/15)"},
        {"--threads", nullptr, "T",
         "torch threads for CMD, pinned and replayed identically (default 1); OpenBLAS is pinned to 1 thread"},
        kill_after_option("seconds between passing on Ctrl-C/SIGTERM and SIGKILL (default 10)"),
        ckpt_url_option("copy each checkpoint to this object store, s3://bucket/prefix, in the background "
                        "(default $FLOR_CKPT_URL; endpoint, region and credentials from the AWS_* variables, "
                        "docs/object-store.md)"),
        snapshot_max_size_option(
            "untracked files larger than SIZE (500K, 10M, 1G; 0 = no limit; default 10M) are left out of the "
            "snapshot, each named in a warning with the .gitignore line that keeps it out quietly, and listed in "
            "the run's info (\"skipped\"). Untracked files matching .florignore (gitignore syntax, at the work "
            "tree's root) are always left out. A submodule is kept as its checked-out commit only (a note says "
            "so; the run's info has \"submodules\": path, commit, dirty)"),
    },
    "environment: FLOR_RUN_ID_FILE=PATH makes flor write the new run's id there\n"
    "(a line) before CMD starts, for scripts that need it.\n"
    "\n"
    "If the store cannot take writes (a full disk, a PostgreSQL server gone), logs\n"
    "are kept in memory (up to FLOR_LOG_MEMORY_MB, default 64) and retried at epoch\n"
    "ends, backing off from 1 s to a minute, and at the end; training goes on. Logs\n"
    "still not stored at the end are counted in a summary and the run is marked\n"
    "failed, with CMD's exit status.\n"
    "\n"
    "exit status: CMD's (128+N when signal N ended it); 2 for bad usage, 1 when flor\n"
    "itself failed (not in a git repository, command not found, ...), and 1 when\n"
    "CMD exited 0 but its run failed (logs that could not be stored, or a run\n"
    "whose end the store refused: it stays 'running').\n"
    "\n"
    "example: flor run mnist -- ./build/train --epochs 20\n",
    NeedsRepo::kYes,
    NeedsStore::kNo,  // created after every check, so bad input leaves no experiment behind
    cmd_run,
};

}  // namespace flor::cli
