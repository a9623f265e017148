// flor replay --all-runs, --runs, --last, --since: hindsight across versions.
// The new log statements are carried into each selected record's own version,
// each version is built once, and all their segments replay through one work
// queue of -j workers.
#include <algorithm>
#include <cstdio>
#include <map>

#include "replay/versions.h"
#include "replay_request.h"
#include "report/table.h"
#include "snapshot.h"
#include "util/format.h"

namespace flor::cli {
namespace {

using replay::ReplaySummary;
using replay::Worker;
using replay::WorkerView;

// The selected records, oldest first.
Result<std::vector<store::Run>> select_records(store::Store& store, const std::string& name, const RunSelection& sel) {
  FLOR_ASSIGN_OR_RETURN(auto runs, store.runs());  // newest first
  std::vector<store::Run> out;
  for (const store::Run& r : runs) {
    const bool listed = std::find(sel.ids.begin(), sel.ids.end(), r.id) != sel.ids.end();
    if (r.kind != store::RunKind::kRecord || (!sel.ids.empty() && !listed) || r.started < sel.since) continue;
    if (sel.last > 0 && static_cast<int>(out.size()) == sel.last) break;
    out.push_back(r);
  }
  for (int64_t id : sel.ids) {
    if (std::none_of(out.begin(), out.end(), [&](const store::Run& r) { return r.id == id; }))
      return invalid_argument("replay: run " + std::to_string(id) + " is not a record of '" + name + "'");
  }
  if (out.empty()) return not_found("replay: '" + name + "' has no record" + (sel.since > 0 ? " started since then" : ""));
  std::reverse(out.begin(), out.end());
  return out;
}

// One selected record: what its version became, and its replay.
struct VersionJob {
  store::Run record;
  replay::Transplant transplant;
  std::string skipped;  // why it is not replayed ("" while it is)
  std::string dir;      // its version's built folder
  std::optional<Prepared> p;
  ReplaySummary summary;
  double seconds = 0;
};

// The record's command as it runs in its version's folder: a program named by
// an absolute path inside the work tree is taken from the folder instead.
std::vector<std::string> command_in(const std::vector<std::string>& command, const std::string& work_tree,
                                    const std::string& dir) {
  std::vector<std::string> out = command;
  if (!out.empty() && out[0].rfind(work_tree + "/", 0) == 0) out[0] = dir + out[0].substr(work_tree.size());
  return out;
}

// The build command: --build (kept for next time), else the one kept.
Result<std::string> build_command(const store::Store& store, const std::string& given) {
  if (!given.empty()) {
    FLOR_RETURN_IF_ERROR(replay::save_build_command(store.dir(), given));
    return given;
  }
  FLOR_ASSIGN_OR_RETURN(auto saved, replay::saved_build_command(store.dir()));
  if (!saved) {
    return failed_precondition(
        "replay: give the command that builds the program once, run in each version's folder: --build "
        "\"cmake -S . -B build && cmake --build build\" (it is kept for the next replays)");
  }
  return *saved;
}

// Carries the new statements into each job's version (or says why not).
Status transplant_all(const git::Repo& repo, const std::string& base, const std::string& head, git::Refs refs,
                      replay::Take take, std::vector<VersionJob>& jobs) {
  for (VersionJob& j : jobs) {
    if (j.record.vid.empty()) {
      j.skipped = "it has no recorded version";
      continue;
    }
    FLOR_ASSIGN_OR_RETURN(j.transplant, replay::transplant_logs(repo, base, head, j.record.vid, j.record.id, refs, take));
    j.skipped = j.transplant.conflict;
  }
  return Status();
}

// Builds each distinct version once; false when interrupted.
bool build_all(const git::Repo& repo, const store::Store& store, const std::string& command,
               std::vector<VersionJob>& jobs) {
  std::map<std::string, Result<replay::VersionBuild>> built;  // by commit
  for (VersionJob& j : jobs) {
    if (!j.skipped.empty()) continue;
    const std::string& commit = j.transplant.commit;
    if (!built.count(commit)) {
      std::fprintf(stderr, "flor: building run %lld's version (%s)...\n", static_cast<long long>(j.record.id),
                   commit.substr(0, 10).c_str());
      const double t0 = now_seconds();
      built.emplace(commit, replay::build_version(repo, store.dir(), commit, command));
      const auto& b = built.at(commit);
      if (b.ok() && b->interrupted) return false;
      if (b.ok()) std::fprintf(stderr, "flor: built in %.1f s: %s\n", now_seconds() - t0, b->dir.c_str());
    }
    const auto& b = built.at(commit);
    if (b.ok()) j.dir = b->dir;
    else j.skipped = "its version does not build: " + b.status().message();
  }
  return true;
}

Status prepare_job(const ReplayRequest& req, const git::Repo& repo, const std::string& home, int jobs_each,
                   VersionJob& j) {
  ReplayRequest r = req;
  r.versions.reset();
  r.run_ref = std::to_string(j.record.id);
  r.command = command_in(j.record.command, repo.work_tree(), j.dir);
  if (r.command.empty()) return failed_precondition("it has no recorded command");
  const std::string rel = j.record.info.cwd.value_or("");
  r.cwd = rel.empty() ? j.dir : j.dir + "/" + rel;
  r.jobs = jobs_each;
  r.jobs_given = true;  // the workers of all versions are this process's, whatever a launcher says
  r.fit_gpus = false;   // run_queue fits all of them
  FLOR_ASSIGN_OR_RETURN(git::Repo own, git::Repo::open(repo.work_tree()));
  FLOR_ASSIGN_OR_RETURN(Prepared p, prepare(std::move(r), std::move(own), home));
  if (p.req.find_probes) probe_new_logs(p, j.transplant.commit, j.dir);
  if (std::string outcome = replay::record_outcome(p.record, p.recorded_epochs); !outcome.empty())
    std::fprintf(stderr, "flor: note: %s\n", outcome.c_str());
  j.p = std::move(p);
  return Status();
}

// Worst first: a failed worker, a divergence, a run left out, a refused checkpoint.
int combine_exit(int a, int b) {
  static const std::vector<int> kOrder = {130, 1, 3, replay::kExitPartial, replay::kExitRefused, 0};
  for (int code : kOrder)
    if (a == code || b == code) return code;
  return a != 0 ? a : b;
}

// A job's workers on the progress line: "run 3" (one segment), "run 3/w2".
std::string worker_label(const VersionJob& j, int index) {
  return "run " + std::to_string(j.record.id) + (j.p->plans.size() > 1 ? "/w" + std::to_string(index) : "");
}

// Replays the ready jobs' segments through one work queue of `jobs` workers
// (a segment starts as soon as a worker slot is free, whichever version it
// is), under one progress line; then each job's summary.
Result<int> run_queue(const std::string& name, const std::vector<VersionJob*>& ready, int jobs,
                      std::chrono::milliseconds kill_after) {
  struct Item {
    VersionJob* job;
    size_t plan;
    int slot = -1;
    int started = -1;  // its index in start order
  };
  std::vector<Item> items;
  std::vector<WorkerView> views;  // one per item, its run 0 until it starts
  int threads = 1;
  std::optional<int64_t> need;  // the largest peak: a worker may replay any of the records
  for (VersionJob* j : ready) {
    threads = std::max(threads, j->p->threads);
    if (auto peak = j->p->record.info.gpu_mem_peak_mib) need = std::max(need.value_or(0), *peak);
    for (size_t i = 0; i < j->p->plans.size(); ++i) {
      items.push_back({j, i});
      views.push_back(WorkerView{j->p->indices[i], 0, j->p->plans[i], "", "", worker_label(*j, j->p->indices[i])});
    }
  }
  if (items.empty()) return 0;
  const sched::Devices devices = sched::discover_devices(process_env());
  const int parallel = fitting_workers(devices, std::min(jobs, static_cast<int>(items.size())), need);
  const std::vector<sched::Slot> slots = sched::assign_slots(devices, parallel, threads);
  std::vector<size_t> by_start;  // item of each started worker
  std::map<VersionJob*, std::pair<double, double>> span;  // first start, last end
  auto start = [&](size_t k, int slot) -> Result<Worker> {
    Item& it = items[k];
    FLOR_ASSIGN_OR_RETURN(auto wv, make_worker(*it.job->p, git::Snapshot{it.job->transplant.commit, {}, {}}, it.plan,
                                               &slots[static_cast<size_t>(slot)]));
    it.slot = slot;
    it.started = static_cast<int>(by_start.size());
    by_start.push_back(k);
    views[k].run = wv.second.run, views[k].slot = wv.second.slot, views[k].log = wv.second.log;
    if (!span.count(it.job)) span[it.job] = {now_seconds(), 0};
    return wv.first;
  };
  std::vector<Worker> first;
  size_t queued = 0;
  for (; queued < static_cast<size_t>(parallel); ++queued) {
    FLOR_ASSIGN_OR_RETURN(Worker w, start(queued, static_cast<int>(queued)));
    first.push_back(std::move(w));
  }
  replay::NextWorker next = [&](int ended) -> Result<std::optional<Worker>> {
    const Item& done = items[by_start[static_cast<size_t>(ended)]];
    span[done.job].second = now_seconds();
    if (queued == items.size()) return std::optional<Worker>();
    FLOR_ASSIGN_OR_RETURN(Worker w, start(queued++, done.slot));
    return std::optional<Worker>(std::move(w));
  };
  std::string runs;
  for (VersionJob* j : ready) runs += (runs.empty() ? "" : ", ") + std::to_string(j->record.id);
  std::fprintf(stderr, "flor: replaying run(s) %s of '%s': %zu segment(s) on %d worker(s); logs in %s/logs\n",
               runs.c_str(), name.c_str(), items.size(), parallel, ready[0]->p->store->dir().c_str());
  FLOR_ASSIGN_OR_RETURN(auto exits, run_with_progress(*ready[0]->p->store, name, first, views, kill_after, next));
  int exit_code = 0;
  for (VersionJob* j : ready) {
    if (!span.count(j)) {  // Ctrl-C came before any of its segments started
      j->skipped = "the job was interrupted before it started";
      exit_code = combine_exit(exit_code, 130);
      continue;
    }
    std::vector<WorkerView> own_views;
    std::vector<sched::ExitInfo> own_exits;
    for (size_t k = 0; k < items.size(); ++k) {
      if (items[k].job != j) continue;
      own_views.push_back(views[k]);
      sched::ExitInfo never;  // not started (Ctrl-C came first)
      never.interrupted = true;
      never.exit_code = 130;
      own_exits.push_back(items[k].started >= 0 ? exits[static_cast<size_t>(items[k].started)] : never);
    }
    const auto [first_start, last_end] = span.at(j);
    j->seconds = (last_end > 0 ? last_end : now_seconds()) - first_start;
    j->summary = replay::summarize(*j->p->store, j->p->record, j->p->recorded_epochs, own_views, own_exits,
                                   j->seconds, j->p->req.on_divergence);
    exit_code = combine_exit(exit_code, j->summary.exit_code);
  }
  return exit_code;
}

std::string version_line(const VersionJob& j) {
  std::string line = "run " + std::to_string(j.record.id) + " (version " + j.record.vid.substr(0, 10);
  if (!j.transplant.commit.empty() && j.transplant.commit != j.record.vid)
    line += " + new log statements = " + j.transplant.commit.substr(0, 10);
  return line + ")";
}

// A row per selected run: the version that ran, its epochs, the new values, fidelity, time.
std::string runs_table(const std::vector<VersionJob>& jobs) {
  report::Table t{{"run", "version", "epochs", "new values", "fidelity", "time"}, {}, "", {}, {1}};
  for (const VersionJob& j : jobs) {
    const std::string version = (j.transplant.commit.empty() ? j.record.vid : j.transplant.commit).substr(0, 10);
    if (!j.skipped.empty()) {
      t.rows.push_back({std::to_string(j.record.id), version, std::nullopt, std::nullopt, "skipped", std::nullopt});
      continue;
    }
    const ReplaySummary& s = j.summary;
    t.rows.push_back({std::to_string(j.record.id), version,
                      std::to_string(s.epochs_done) + "/" + std::to_string(s.epochs_total),
                      std::to_string(s.new_values), s.fidelity, format_duration(j.seconds)});
  }
  return report::render(t, report::Format::kTable);
}

}  // namespace

Result<int> replay_versions(Context& ctx, ReplayRequest req) {
  const git::Repo& repo = *ctx.repo;
  FLOR_ASSIGN_OR_RETURN(std::string name, req.name ? Result<std::string>(*req.name) : git::read_last_name(repo));
  FLOR_ASSIGN_OR_RETURN(auto store, open_experiment(ctx.home, name));
  FLOR_ASSIGN_OR_RETURN(auto records, select_records(*store, name, *req.versions));
  FLOR_ASSIGN_OR_RETURN(store::Run newest, store->latest_record());
  std::string command;
  if (!req.dry_run) {
    FLOR_ASSIGN_OR_RETURN(command, build_command(*store, req.build));
  }
  // A dry run writes commits no ref keeps: the repository's refs stay as they were.
  const git::Refs refs = req.dry_run ? git::Refs::kUnreferenced : git::Refs::kUpdate;
  FLOR_ASSIGN_OR_RETURN(git::Snapshot head,
                        take_snapshot(repo, "flor replay " + name + " of " + std::to_string(records.size()) +
                                                " run(s): the new log statements",
                                      ctx.home, req.snapshot_max_bytes, refs));
  if (!req.dry_run) FLOR_RETURN_IF_ERROR(git::write_last_name(repo, name));
  std::vector<VersionJob> jobs;
  jobs.reserve(records.size());
  for (const store::Run& r : records) jobs.push_back(VersionJob{r, {}, {}, {}, {}, {}, 0});
  FLOR_RETURN_IF_ERROR(transplant_all(repo, newest.vid, head.commit, refs, req.take, jobs));

  int exit_code = 0;
  auto skip = [&](const VersionJob& j) {
    std::fprintf(stderr, "flor: %s is skipped: %s\n", version_line(j).c_str(), j.skipped.c_str());
    exit_code = combine_exit(exit_code, replay::kExitPartial);
  };
  if (req.dry_run) {
    for (const VersionJob& j : jobs) {
      if (!j.skipped.empty()) {
        skip(j);
        continue;
      }
      std::printf("%s:\n%s", version_line(j).c_str(),
                  j.transplant.files.empty() ? "  no new log statements\n" : j.transplant.diff.c_str());
    }
    return exit_code;
  }
  if (!build_all(repo, *store, command, jobs)) return 130;
  FLOR_RETURN_IF_ERROR(replay::ensure_log_dir(*store));
  const int active = static_cast<int>(std::count_if(jobs.begin(), jobs.end(), [](const VersionJob& j) { return j.skipped.empty(); }));
  std::vector<VersionJob*> ready;
  for (VersionJob& j : jobs) {
    if (j.skipped.empty()) {
      Status s = prepare_job(req, repo, ctx.home, std::max(1, req.jobs / std::max(active, 1)), j);
      if (!s.ok()) j.skipped = s.message();
    }
    if (j.skipped.empty()) ready.push_back(&j);
    else skip(j);
  }
  FLOR_ASSIGN_OR_RETURN(int queue_exit, run_queue(name, ready, req.jobs, req.kill_after));
  exit_code = combine_exit(exit_code, queue_exit);
  for (const VersionJob& j : jobs) {
    if (!j.skipped.empty()) continue;
    std::printf("== %s, %.1f s\n%s", version_line(j).c_str(), j.seconds, j.summary.text.c_str());
  }
  std::printf("\n%s", runs_table(jobs).c_str());
  const size_t replayed = static_cast<size_t>(
      std::count_if(jobs.begin(), jobs.end(), [](const VersionJob& j) { return j.skipped.empty(); }));
  std::printf("%zu run(s) selected: %zu replayed, %zu skipped\n", jobs.size(), replayed, jobs.size() - replayed);
  return exit_code;
}

}  // namespace flor::cli
