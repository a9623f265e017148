// flor replay: the request, the plan of its segments and their workers; what
// happens around the workers is lib/replay's. Across versions (--all-runs &
// co.): replay_versions.cc.
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <ctime>
#include <regex>

#include "command.h"
#include "plan/record_shape.h"
#include "replay/auto_probes.h"
#include "replay_request.h"
#include "sched/nvidia_smi.h"
#include "snapshot.h"
#include "util/format.h"
#include "util/number.h"

namespace flor::cli {
namespace {

using replay::ReplaySummary;
using replay::Worker;
using replay::WorkerView;

constexpr int kMaxJobs = 1024;

// --since YYYY-MM-DD (UTC midnight) as unix seconds.
Result<double> parse_date(const std::string& s) {
  std::tm tm = {};
  const char* end = ::strptime(s.c_str(), "%Y-%m-%d", &tm);
  if (end == nullptr || *end != '\0') return invalid_argument("replay: --since wants a date, YYYY-MM-DD; got '" + s + "'");
  return static_cast<double>(::timegm(&tm));
}

Result<std::optional<RunSelection>> parse_selection(const Args& args) {
  const int given = int(args.has("--all-runs")) + int(args.has("--runs")) + int(args.has("--last")) +
                    int(args.has("--since"));
  if (given == 0) return std::optional<RunSelection>();
  if (given > 1) return invalid_argument("replay: give one of --all-runs, --runs, --last and --since");
  RunSelection sel;
  for (const std::string& id : args.list("--runs")) {
    FLOR_ASSIGN_OR_RETURN(int64_t v, parse_integer("--runs", id, 1, INT64_MAX));
    sel.ids.push_back(v);
  }
  FLOR_ASSIGN_OR_RETURN(auto last, args.int_value("--last", 1, 100000));
  sel.last = last.value_or(0);
  if (auto d = args.value("--since")) {
    FLOR_ASSIGN_OR_RETURN(sel.since, parse_date(*d));
  }
  return std::optional<RunSelection>(sel);
}

Result<ReplayRequest> parse_request(const Args& args) {
  ReplayRequest req;
  static const std::regex kSegment(R"(\d+/\d+)");
  for (const std::string& p : args.positional) {
    if (std::regex_match(p, kSegment)) {
      FLOR_ASSIGN_OR_RETURN(req.segment, parse_segment(p));
    } else if (!req.name) {
      FLOR_RETURN_IF_ERROR(store::Store::check_name(p));
      req.name = p;
    } else {
      return invalid_argument("replay: unexpected argument '" + p + "' (expected NAME and/or P/N)");
    }
  }
  FLOR_ASSIGN_OR_RETURN(auto jobs, args.int_value("--jobs", 1, kMaxJobs));
  req.jobs = jobs.value_or(1);
  req.jobs_given = jobs.has_value();
  if (req.segment && jobs) return invalid_argument("replay: give either P/N or -j N, not both");
  req.run_ref = args.value("--run").value_or("");
  if (args.has("--strong") && args.has("--weak"))
    return invalid_argument("replay: give --strong or --weak, not both");
  if (args.has("--strong")) req.init = InitMode::kStrong;
  if (args.has("--weak")) req.init = InitMode::kWeak;
  req.probes = args.list("--probe");
  if (args.has("--no-probes") && !req.probes.empty())
    return invalid_argument("replay: give --probe or --no-probes, not both");
  req.find_probes = req.probes.empty() && !args.has("--no-probes");
  req.probes_complete = !req.find_probes;
  if (auto e = args.value("--epochs")) {
    FLOR_ASSIGN_OR_RETURN(req.epochs, parse_epoch_range(*e));
  }
  if (args.has("--tolerate")) req.on_divergence = replay::OnDivergence::kReport;
  FLOR_ASSIGN_OR_RETURN(req.slurm, args.int_value("--slurm", 1, 100000));
  FLOR_ASSIGN_OR_RETURN(req.count, args.int_value("--count", 1, 100000));
  FLOR_ASSIGN_OR_RETURN(req.kill_after, kill_after_value("replay", args));
  FLOR_ASSIGN_OR_RETURN(req.ckpt_url, ckpt_url_value("replay", args));
  FLOR_ASSIGN_OR_RETURN(req.snapshot_max_bytes, snapshot_max_bytes(args));
  FLOR_ASSIGN_OR_RETURN(req.versions, parse_selection(args));
  req.build = args.value("--build").value_or("");
  req.dry_run = args.has("--dry-run");
  const auto take = args.value("--transplant");
  if (take && *take != "logs" && *take != "all")
    return invalid_argument("replay: --transplant takes logs (the hunks that add log statements) or all, not '" +
                            *take + "'");
  if (take == "all") req.take = replay::Take::kEverything;
  if (!req.versions && (!req.build.empty() || req.dry_run || take))
    return invalid_argument(
        "replay: --build, --dry-run and --transplant go with --all-runs, --runs, --last or --since");
  if (req.versions && (req.segment || !req.run_ref.empty() || args.has_command || req.slurm || req.count))
    return invalid_argument(
        "replay: --all-runs, --runs, --last and --since replay each run with its recorded command, in "
        "-j workers: P/N, --run, --slurm, --count and `-- CMD` do not go with them");
  if (args.has_command) {
    if (args.command.empty())
      return invalid_argument("replay: nothing after `--` (omit it to rerun the recorded command)");
    req.command = args.command;
  }
  return req;
}

// The record's torch thread count (the runtime writes it into the run's info),
// so replay computes with the same reduction order.
int recorded_threads(const store::Run& record) {
  const auto& t = record.info.threads;
  return t && t->torch > 0 ? t->torch : 1;
}

// The folder the record's command was started in (the runtime keeps "cwd" in
// the run's info), so `./build/train` means the same from anywhere in the repository.
std::string recorded_cwd(const store::Run& record, const git::Repo& repo) {
  const std::string rel = record.info.cwd.value_or("");
  return rel.empty() ? repo.work_tree() : repo.work_tree() + "/" + rel;
}

Result<store::Run> record_of(store::Store& store, const std::string& ref) {
  FLOR_ASSIGN_OR_RETURN(store::Run run, find_run(store, ref));
  if (run.kind == store::RunKind::kReplay && run.parent) return store.run(*run.parent);
  return run;
}

// Why this replay re-runs earlier epochs, once: the record asked for it (flor::carried_state).
void say_strong_init(const plan::RecordShape& shape) {
  std::fprintf(
      stderr,
      "flor: strong init: the epoch body changes %s outside the checkpoints, so each segment runs the "
      "earlier epochs' bodies again to rebuild them (--weak: start from a checkpoint without them)\n",
      join_names(shape.carried_state).c_str());
}

Status plan_workers(Prepared& p) {
  FLOR_ASSIGN_OR_RETURN(plan::RecordShape shape, plan::record_shape(*p.store, p.record.id));
  p.recorded_epochs = shape.epochs;
  const InitMode init = plan::init_mode(shape, p.req.init);
  if (!p.req.init && init == InitMode::kStrong) say_strong_init(shape);
  std::optional<Segment> one = p.req.segment;
  if (!one && p.launcher) one = p.launcher->segment;
  if (one) {
    FLOR_ASSIGN_OR_RETURN(auto plan, plan::plan_segment(shape, *one, init, p.req.epochs));
    p.plans = {plan};
    p.indices = {one->index};
    p.count = one->count;
    return Status();
  }
  // -j is a ceiling: a segment can only start after a checkpointed epoch, so
  // a sparse record gets fewer workers rather than an error.
  int jobs = p.req.jobs;
  int64_t most = plan::max_segments(shape, p.req.epochs);
  if (most > 0 && jobs > most) {
    std::fprintf(stderr,
                 "flor: the record offers %lld place(s) to start a segment (after checkpointed epochs): "
                 "using %lld worker(s), not %d\n",
                 static_cast<long long>(most), static_cast<long long>(most), jobs);
    jobs = static_cast<int>(most);
  }
  if (jobs > 1 && p.req.fit_gpus) {
    p.devices = sched::discover_devices(process_env());
    jobs = fitting_workers(p.devices, jobs, p.record.info.gpu_mem_peak_mib);
  }
  FLOR_ASSIGN_OR_RETURN(p.plans, plan::plan_segments(shape, jobs, init, p.req.epochs));
  for (int i = 1; i <= jobs; ++i) p.indices.push_back(i);
  p.count = jobs;
  return Status();
}

Contract worker_contract(const Prepared& p, int64_t run, int index, const std::string& vid) {
  Contract c;
  c.mode = Mode::kReplay;
  c.name = p.name;
  c.home = p.home;
  c.store = process_env()(kEnvStore).value_or("");
  c.run_id = run;
  c.replay_of = p.record.id;
  c.segment = Segment{index, p.count};
  c.init = p.req.init;
  c.probes = p.req.probes;
  c.probes_complete = p.req.probes_complete;
  c.epochs = p.req.epochs;
  c.tolerate_divergence = p.req.on_divergence == replay::OnDivergence::kReport;
  c.threads = p.threads;
  c.vid = vid;
  c.ckpt_url = p.req.ckpt_url;
  return c;
}

Result<int64_t> create_replay_run(const Prepared& p, const git::Snapshot& snap, int index) {
  store::Run row;
  row.name = p.name;
  row.kind = store::RunKind::kReplay;
  row.parent = p.record.id;
  row.vid = snap.commit;
  row.started = now_seconds();
  row.command = p.req.command;
  row.info.segment = Segment{index, p.count};
  if (p.launcher) row.info.launcher = p.launcher->launcher;
  add_snapshot_info(snap, &row.info);
  return p.store->create_run(row);
}

}  // namespace

int fitting_workers(const sched::Devices& devices, int workers, std::optional<int64_t> need_mib) {
  if (!sched::gpus_shared(devices.gpus.size(), workers)) return workers;
  const std::vector<sched::GpuMemory> memory = sched::query_gpu_memory(process_env());
  const sched::GpuShare share =
      sched::share_gpus(workers, devices.gpus, sched::free_mib(devices.gpus, memory), need_mib);
  std::fprintf(stderr, "flor: %s\n", share.message.c_str());
  return share.workers;
}

Result<Prepared> prepare(ReplayRequest req, git::Repo repo, const std::string& home) {
  std::string name;
  if (req.name) {
    name = *req.name;
  } else {
    FLOR_ASSIGN_OR_RETURN(name, git::read_last_name(repo));
  }
  FLOR_ASSIGN_OR_RETURN(auto store, open_experiment(home, name));
  FLOR_ASSIGN_OR_RETURN(store::Run record, record_of(*store, req.run_ref));
  if (req.command.empty()) {
    req.command = record.command;
    req.cwd = recorded_cwd(record, repo);
  }
  if (req.command.empty()) {
    return failed_precondition("run " + std::to_string(record.id) +
                               " has no recorded command: give one after --");
  }
  FLOR_ASSIGN_OR_RETURN(std::string program, sched::resolve_command(req.command[0], process_env(), req.cwd));
  Prepared p{
      std::move(req), std::move(repo), name, home, std::move(store), record, program, {}, {}, {}, 1, 1, 0, {}};
  if (!p.req.segment && !p.req.jobs_given) {
    FLOR_ASSIGN_OR_RETURN(p.launcher, sched::segment_from_launcher(process_env(), p.req.count));
  }
  p.threads = recorded_threads(record);
  FLOR_RETURN_IF_ERROR(plan_workers(p));
  return p;
}

Result<std::pair<Worker, WorkerView>> make_worker(const Prepared& p, const git::Snapshot& snap, size_t i,
                                                  const sched::Slot* slot) {
  const int index = p.indices[i];
  FLOR_ASSIGN_OR_RETURN(int64_t run, create_replay_run(p, snap, index));
  auto env = replay::training_env(worker_contract(p, run, index, snap.commit), p.threads);
  sched::SpawnSpec spec{
      p.req.command, env, log_path(*p.store, run), slot ? sched::Echo::kNone : sched::Echo::kLive, {}, p.req.cwd};
  std::string slot_label = "this process";
  if (slot) {
    for (const auto& [k, v] : slot->env) spec.env[k] = v;
    spec.cpus = slot->cpus;
    slot_label = slot->label;
  }
  return std::pair<Worker, WorkerView>{Worker{run, spec}, WorkerView{index, run, p.plans[i], slot_label, spec.log_path}};
}

Result<std::vector<sched::ExitInfo>> run_with_progress(store::Store& store, const std::string& name,
                                                       const std::vector<Worker>& workers,
                                                       const std::vector<WorkerView>& views,
                                                       std::chrono::milliseconds kill_after,
                                                       const replay::NextWorker& next) {
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  const double t0 = now_seconds();
  double last_time = -1;
  std::string last_line;
  auto print_progress = [&](bool force) {
    // One line rewritten in place on a terminal; in a log, a line every 10 s and a last one
    // (unless it says what the one before said).
    double now = now_seconds();
    if (!tty && !force && last_time >= 0 && now - last_time < 10) return;
    last_time = now;
    std::string line = replay::progress_line(store, name, views, now - t0);
    if (!tty && line == last_line) return;
    last_line = line;
    std::fprintf(stderr, tty ? "\r%s\033[K" : "%s\n", line.c_str());
    std::fflush(stderr);
  };
  FLOR_ASSIGN_OR_RETURN(auto exits, replay::run_workers(
                                        store, workers, [&] { print_progress(false); },
                                        std::chrono::milliseconds(1000), kill_after, next));
  print_progress(true);
  if (tty) std::fputc('\n', stderr);
  return exits;
}

void probe_new_logs(Prepared& p, const std::string& vid, const std::string& tree) {
  replay::FoundProbes found = replay::find_probes(p.repo, p.record.vid, vid, p.program, tree);
  for (const std::string& note : found.notes) std::fprintf(stderr, "flor: note: %s\n", note.c_str());
  p.req.probes_complete = found.complete;
  if (const auto& loop = p.record.info.step_loop; loop && !found.complete) {
    std::fprintf(stderr, "flor: note: the step loop '%s' runs: %s (--no-probes skips it)\n", loop->c_str(),
                 found.why.c_str());
  }
  if (found.blocks.empty()) return;
  std::string names;
  for (const std::string& b : found.blocks) names += (names.empty() ? "" : ", ") + b;
  std::fprintf(stderr, "flor: probing %s: new log calls inside (--no-probes skips them too)\n",
               names.c_str());
  p.req.probes = found.blocks;
}

namespace {

// Every plan's worker: `slots` has one per plan, or none for one worker in this process.
Result<std::vector<std::pair<Worker, WorkerView>>> make_workers(const Prepared& p, const git::Snapshot& snap,
                                                                const std::vector<sched::Slot>& slots) {
  std::vector<std::pair<Worker, WorkerView>> out;
  for (size_t i = 0; i < p.plans.size(); ++i) {
    FLOR_ASSIGN_OR_RETURN(auto w, make_worker(p, snap, i, slots.empty() ? nullptr : &slots[i]));
    out.push_back(std::move(w));
  }
  return out;
}

// One segment in this process (P/N, a launcher's rank, or -j 1): the program's
// output streams live; the exit status is the program's, or kExitRefused when
// it succeeded but checkpoint(s) were refused.
Result<int> run_single(Prepared& p, const Worker& w, const WorkerView& v) {
  std::string from = p.launcher ? " (from " + p.launcher->launcher + ")" : "";
  std::fprintf(stderr, "flor: replaying run %lld of '%s', segment %d/%d%s: epochs %lld-%lld, as run %lld\n",
               static_cast<long long>(p.record.id), p.name.c_str(), v.index, p.count, from.c_str(),
               static_cast<long long>(v.plan.first), static_cast<long long>(v.plan.last),
               static_cast<long long>(w.run));
  const double t0 = now_seconds();
  FLOR_ASSIGN_OR_RETURN(auto exits,
                        replay::run_workers(*p.store, {w}, nullptr, std::chrono::milliseconds(1000), p.req.kill_after));
  ReplaySummary s = replay::summarize(*p.store, p.record, p.recorded_epochs, {v}, exits, now_seconds() - t0,
                              p.req.on_divergence);
  std::fputs(s.text.c_str(), stdout);
  if (exits[0].exit_code == 0 && s.exit_code == replay::kExitRefused) return replay::kExitRefused;
  return exits[0].exit_code;
}

Result<int> run_parallel(Prepared& p, const std::vector<std::pair<Worker, WorkerView>>& ws) {
  std::vector<Worker> workers;
  std::vector<WorkerView> views;
  for (const auto& [w, v] : ws) workers.push_back(w), views.push_back(v);
  std::fprintf(stderr, "flor: replaying run %lld of '%s' in %zu worker(s); logs in %s/logs\n",
               static_cast<long long>(p.record.id), p.name.c_str(), workers.size(), p.store->dir().c_str());
  const double t0 = now_seconds();
  FLOR_ASSIGN_OR_RETURN(auto exits, run_with_progress(*p.store, p.name, workers, views, p.req.kill_after));
  ReplaySummary s = replay::summarize(*p.store, p.record, p.recorded_epochs, views, exits, now_seconds() - t0,
                              p.req.on_divergence);
  std::fputs(s.text.c_str(), stdout);
  return s.exit_code;
}

Result<int> cmd_replay(Context& ctx) {
  // --slurm only prints a script: it needs the name and the repository, nothing else.
  FLOR_ASSIGN_OR_RETURN(ReplayRequest req, parse_request(ctx.args));
  if (req.slurm) {
    const git::Repo& repo = *ctx.repo;
    FLOR_ASSIGN_OR_RETURN(std::string name,
                          req.name ? Result<std::string>(*req.name) : git::read_last_name(repo));
    FLOR_RETURN_IF_ERROR(open_experiment(ctx.home, name).status());
    std::fputs(sched::slurm_script(name, *req.slurm, repo.work_tree(), ctx.home).c_str(), stdout);
    return 0;
  }
  if (req.versions) return replay_versions(ctx, std::move(req));
  FLOR_ASSIGN_OR_RETURN(Prepared p, prepare(std::move(req), std::move(*ctx.repo), ctx.home));
  FLOR_ASSIGN_OR_RETURN(git::Snapshot snap,
                        take_snapshot(p.repo,
                                      "flor replay " + p.name + " of run " + std::to_string(p.record.id) + ": " +
                                          join_command(p.req.command),
                                      p.home, p.req.snapshot_max_bytes));
  FLOR_RETURN_IF_ERROR(git::write_last_name(p.repo, p.name));
  if (p.req.find_probes && !p.record.vid.empty()) probe_new_logs(p, snap.commit, p.repo.work_tree());
  // Said before the replay starts, and again in the summary.
  if (std::string outcome = replay::record_outcome(p.record, p.recorded_epochs); !outcome.empty())
    std::fprintf(stderr, "flor: note: %s\n", outcome.c_str());
  FLOR_RETURN_IF_ERROR(replay::ensure_log_dir(*p.store));
  const int n = static_cast<int>(p.plans.size());
  FLOR_ASSIGN_OR_RETURN(auto ws, make_workers(p, snap,
                                              n == 1 ? std::vector<sched::Slot>()
                                                     : sched::assign_slots(p.devices, n, p.threads)));
  if (ws.size() == 1) return run_single(p, ws[0].first, ws[0].second);
  return run_parallel(p, ws);
}

}  // namespace

extern const Command kReplayCommand = {
    "replay",
    "replay a recorded run with new log statements, in parallel segments",
    "[NAME] [P/N] [-- CMD [ARGS...]]",
    "Replays a recorded run after you added log statements and rebuilt: restores\n"
    "checkpoints, skips blocks that do not need to run, fills in the new logs and\n"
    "checks that every recorded log value comes out the same. The current work\n"
    "tree is committed to flor.shadow as the replay's version.\n"
    "\n"
    "NAME defaults to the experiment last used in this repository; the run to the\n"
    "newest record of NAME; CMD to the recorded command.\n"
    "\n"
    "  P/N           run segment P of N (1-based) in this process, e.g. 3/5\n",
    {
        {"--jobs", "-j", "N",
         "start N segment workers (-jN too), one GPU each (CUDA_VISIBLE_DEVICES) or a share of the CPU "
         "cores; one progress line; per-worker logs in FLOR_HOME/NAME/logs; a summary at the end. Fewer "
         "when the record has fewer checkpointed epochs to start segments from. More workers than GPUs "
         "share them (worker i on GPU i mod #GPUs) when each GPU's free memory (nvidia-smi) holds its "
         "workers at the record's peak GPU memory + 10% each; else as many start as fit, at least one per "
         "GPU, and a line says why. A record without a peak (run on a CPU, or by an older flor) is not "
         "checked: a note says so"},
        {"--run", nullptr, "REF", "replay this record: a run id or a shadow commit prefix"},
        {"--epochs", nullptr, "E",
         "only epoch E (9) or epochs A-B (150-160), from the nearest checkpoint before them"},
        {"--strong", nullptr, nullptr,
         "strong init: re-run every earlier epoch's outer loop body (for state outside the checkpoints) "
         "instead of restoring. The default for a record whose program names such state "
         "(flor::carried_state, which flor-instrument writes): a line says so"},
        {"--weak", nullptr, nullptr,
         "weak init: start each segment from the checkpoint before it, even when the record names state "
         "outside the checkpoints (faster; what the epoch body carries starts as the program sets it)"},
        {"--probe", nullptr, "B",
         "always execute block B (repeatable, or comma-separated). Without it, the blocks that gained "
         "flor::log calls since the record are probed: flor-instrument compares both versions of each "
         "changed source file, with the flags in the build's compile_commands.json (beside the program, "
         "or in build/). A step loop (a main loop without blocks) is skipped from its loop-end checkpoint "
         "when --probe or "
         "--no-probes leaves it out, or when the new logs are only after it (every changed file analyzed; "
         "otherwise flor says why it runs)"},
        {"--no-probes", nullptr, nullptr, "probe nothing: skip every block that has a checkpoint"},
        {"--all-runs", nullptr, nullptr,
         "hindsight across versions: carry the new log statements (the hunks from the newest record's "
         "version to the work tree that call flor::log, histogram, image or text) into every record's own "
         "version, "
         "build each in FLOR_HOME/NAME/versions/ and replay them all, -j workers over versions and segments "
         "together. A version the statements do not fit (a three-way merge conflict, shown) or that does not "
         "build is skipped"},
        {"--runs", nullptr, "LIST", "as --all-runs, for these records (3,5,8)"},
        {"--last", nullptr, "N", "as --all-runs, for the newest N records"},
        {"--since", nullptr, "DATE", "as --all-runs, for the records started since DATE (YYYY-MM-DD, UTC)"},
        {"--build", nullptr, "CMD",
         "with --all-runs & co.: the shell command that builds the program in a version's folder, e.g. "
         "\"cmake -S . -B build && cmake --build build\"; given once, kept for the next replays (ccache "
         "hits across versions: CCACHE_BASEDIR is the folder)"},
        {"--dry-run", nullptr, nullptr,
         "with --all-runs & co.: print each version's transplanted diff, replay nothing"},
        {"--transplant", nullptr, "WHAT",
         "with --all-runs & co.: what is carried into each version: logs (default: the hunks that add log "
         "statements) or all (every hunk from the newest record's version to the work tree, e.g. a helper "
         "the new statements call; files the work tree deleted stay)"},
        {"--tolerate", nullptr, nullptr, "a divergence from the record is reported but not an error"},
        {"--count", nullptr, "N",
         "the number of segments under a Kubernetes Indexed Job (JOB_COMPLETION_INDEX gives the index)"},
        {"--slurm", nullptr, "N", "print an `sbatch --array=1-N` script that replays in N tasks"},
        kill_after_option(
            "seconds between passing on Ctrl-C/SIGTERM and SIGKILL to the workers (default 10); "
            "output and signals as for `flor run`"),
        ckpt_url_option(
            "download the checkpoint files missing under FLOR_HOME from this object store, "
            "s3://bucket/prefix (default $FLOR_CKPT_URL), into FLOR_HOME/NAME/ckpt, each verified"),
        snapshot_max_size_option("as for flor run: untracked files over SIZE (default 10M) stay out of the "
                                 "replay's snapshot"),
    },
    "Without P/N under a cluster launcher, the segment comes from its environment:\n"
    "Slurm job arrays (SLURM_ARRAY_TASK_ID/_COUNT/_MIN/_STEP), Open MPI\n"
    "(OMPI_COMM_WORLD_RANK/_SIZE), MPICH/PMI (PMI_RANK/_SIZE), torchrun\n"
    "(RANK/WORLD_SIZE), Kubernetes (JOB_COMPLETION_INDEX with --count).\n"
    "FLOR_HOME must then be on storage every node sees.\n"
    "\n"
    "exit status: one segment in this process (P/N, a launcher, or -j 1): CMD's\n"
    "(3 when the replay diverged from the record). -j N: 0 when every worker\n"
    "succeeded, 3 when values diverged, 1 when a worker failed, 130 when\n"
    "interrupted. 4 (instead of 0) when every value was reproduced but some\n"
    "checkpoint was refused (corrupt, or holding another epoch's state: the\n"
    "summary names each); what it held was re-executed. 2 for bad usage.\n"
    "--all-runs & co.: the worst of the runs' statuses; 5 when a selected run\n"
    "was skipped and the others succeeded.\n"
    "\n"
    "examples: flor replay mnist -j 4\n"
    "          flor replay mnist 3/5\n"
    "          mpirun -np 3 flor replay mnist\n"
    "          flor replay mnist --epochs 150-160 --probe train\n"
    "          flor replay mnist --all-runs -j 4 --build \"cmake --build build\"\n",
    NeedsRepo::kYes,
    NeedsStore::kNo,  // NAME may come after P/N, or from the repository: prepare() opens it
    cmd_replay,
};

}  // namespace flor::cli
