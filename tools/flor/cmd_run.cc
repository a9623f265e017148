// flor run NAME [--eps E] [--threads T] [--snapshot-max-size SIZE] -- CMD [ARGS...]: record a run.
#include <cstdio>
#include <fstream>

#include "context.h"
#include "git/shadow.h"
#include "launch.h"
#include "snapshot.h"
#include "sched/process.h"

namespace flor::cli {
namespace {

const std::vector<OptionSpec> kOptions = {
    {"--eps", nullptr, Takes::kValue},
    {"--threads", nullptr, Takes::kValue},
    kKillAfterOption,
    kSnapshotMaxSizeOption,
};

struct RunRequest {
  std::string name;
  double eps = kDefaultEps;
  int threads = 1;
  std::chrono::milliseconds kill_after = sched::kDefaultKillAfter;
  int64_t snapshot_max_bytes = git::kDefaultSnapshotMaxBytes;
  std::vector<std::string> command;
};

// Every check that needs no writing, so bad input leaves no trace.
Result<RunRequest> parse_request(const std::vector<std::string>& words) {
  FLOR_ASSIGN_OR_RETURN(Args args, parse_args("run", words, kOptions));
  FLOR_RETURN_IF_ERROR(expect_positionals("run", args, 1, 1));
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
  FLOR_ASSIGN_OR_RETURN(req.snapshot_max_bytes, snapshot_max_bytes(args));
  return req;
}

}  // namespace

Result<int> cmd_run(const std::vector<std::string>& words) {
  FLOR_ASSIGN_OR_RETURN(RunRequest req, parse_request(words));
  FLOR_ASSIGN_OR_RETURN(git::Repo repo, open_repo());
  const std::string home = flor_home();

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
  FLOR_RETURN_IF_ERROR(ensure_log_dir(*store));

  Contract c;
  c.mode = Mode::kRecord;
  c.name = req.name;
  c.home = home;
  c.run_id = id;
  c.eps = req.eps;
  c.threads = req.threads;
  c.vid = vid;
  Worker w{id, sched::SpawnSpec{
                   req.command, training_env(c, req.threads), log_path(*store, id), sched::Echo::kLive, {}}};
  std::fprintf(stderr, "flor: recording run %lld of '%s' (version %s)\n", static_cast<long long>(id),
               req.name.c_str(), short_id(vid).c_str());
  if (auto path = process_env()(kEnvRunIdFile)) {
    std::ofstream out(*path, std::ios::trunc);
    if (!(out << id << "\n"))
      std::fprintf(stderr, "flor: warning: cannot write the run id to %s\n", path->c_str());
  }
  FLOR_ASSIGN_OR_RETURN(auto exits,
                        launch(*store, {w}, nullptr, std::chrono::milliseconds(1000), req.kill_after));
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

}  // namespace flor::cli
