#include "sweep/scheduler.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "sched/memtrace.h"
#include "sched/nvidia_smi.h"
#include "sched/spawn.h"
#include "util/file.h"
#include "util/proc_stat.h"

namespace flor::sweep {

struct Scheduler::Running {
  Entry entry;
  size_t slot = 0;
  std::unique_ptr<Child> child;
  std::string stdout_path, stderr_path;
  uint64_t stdout_from = 0, stderr_from = 0;  // log sizes before this attempt
  double started_mono = 0;
  double next_mem_sample = 0;
  bool timed_out = false;
  bool stopping = false;  // killed by a halt or an interrupt: not the run's failure
};

namespace {

std::string exit_reason(int code) {
  return code > 128 ? "killed by signal " + std::to_string(code - 128)
                    : "exit status " + std::to_string(code);
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%gs", s);
  return buf;
}

// The end of stderr, or of stdout when stderr is empty (many programs report
// errors on stdout).
std::string log_tail(const std::string& out, uint64_t out_from, const std::string& err, uint64_t err_from,
                     int lines) {
  std::string tail = tail_lines(err, lines, err_from);
  return tail.empty() ? tail_lines(out, lines, out_from) : tail;
}

}  // namespace

Scheduler::Scheduler(Journal* journal, std::vector<Slot> slots, SchedulerOptions options, Hooks hooks)
    : journal_(journal),
      slots_(std::move(slots)),
      options_(std::move(options)),
      hooks_(std::move(hooks)),
      slot_busy_(slots_.size(), false) {
  FLOR_CHECK(!slots_.empty());
  FLOR_CHECK(static_cast<bool>(hooks_.launch));
}

Scheduler::~Scheduler() = default;

void Scheduler::emit(EventKind kind, const Entry* entry, const std::string& text) {
  if (hooks_.on_event) hooks_.on_event(Event{kind, entry, text});
}

Result<Summary> Scheduler::run(const std::vector<Entry>& entries, const std::atomic<bool>& stop) {
  if (!options_.watch_path.empty()) watch_stamp_ = file_stamp(options_.watch_path);
  FLOR_RETURN_IF_ERROR(stop_earlier_attempts());
  std::vector<Entry> wanted;
  for (const Entry& e : entries) {
    if (wants_run(e, *journal_, options_.rerun)) wanted.push_back(e);
  }
  FLOR_RETURN_IF_ERROR(enqueue(wanted));
  while (true) {
    if (stop.load()) {
      summary_.interrupted = true;
      FLOR_RETURN_IF_ERROR(stop_all("interrupted"));
      break;
    }
    FLOR_RETURN_IF_ERROR(maybe_reload());
    FLOR_RETURN_IF_ERROR(reap());
    FLOR_RETURN_IF_ERROR(check_timeouts());
    trace_memory();
    if (!summary_.halted) FLOR_RETURN_IF_ERROR(start_ready());
    report_progress();
    if (queue_.empty() && running_.empty()) break;
    ::usleep(static_cast<useconds_t>(options_.tick_s * 1e6));
  }
  report_progress();
  return summary_;
}

// Attempts the journal says are running belong to a sweep that is gone (the
// lock file says no other one runs): one still alive is stopped, SIGTERM to
// its group and SIGKILL after the grace, before its permutation runs again.
Status Scheduler::stop_earlier_attempts() {
  for (const Entry* e : journal_->entries()) {
    if (e->state != RunState::kRunning || !process_alive(e->pid, e->pid_start)) continue;
    const pid_t pid = e->pid;
    const double give_up = monotonic_s() + options_.kill_grace_s + 5;
    double kill_at = monotonic_s() + options_.kill_grace_s;
    sched::signal_group(pid, SIGTERM);
    while (process_alive(pid, e->pid_start)) {
      if (monotonic_s() >= give_up) {
        return failed_precondition("the earlier attempt of " + e->folder + " (pid " + std::to_string(pid) +
                                   ") is still running after SIGKILL; stop it, then start the sweep again");
      }
      if (kill_at > 0 && monotonic_s() >= kill_at) {
        sched::signal_group(pid, SIGKILL);
        kill_at = 0;
      }
      ::usleep(20000);
    }
    emit(EventKind::kWarning, nullptr,
         "stopped the earlier attempt of " + e->folder + " (pid " + std::to_string(pid) +
             "), left running by a sweep that ended without stopping it; it runs again");
  }
  return Status();
}

Status Scheduler::enqueue(const std::vector<Entry>& entries) {
  std::vector<Entry> pending;
  for (Entry e : entries) {
    e.state = RunState::kPending;
    queue_.push_back(e);
    pending.push_back(e);
  }
  return pending.empty() ? Status() : journal_->put_all(std::move(pending));
}

Status Scheduler::start_ready() {
  // max_parallel can drop below the slot count by a live edit.
  const int cap = options_.meta.max_parallel;
  for (size_t s = 0; s < slots_.size() && !queue_.empty(); ++s) {
    if (cap > 0 && running_.size() >= static_cast<size_t>(cap)) break;
    if (slot_busy_[s]) continue;
    Entry e = queue_.front();
    queue_.pop_front();
    FLOR_RETURN_IF_ERROR(start(std::move(e), s));
  }
  return Status();
}

Status Scheduler::start(Entry entry, size_t slot) {
  entry.state = RunState::kRunning;
  entry.attempts += 1;
  entry.started = unix_s();
  entry.ended = 0;
  entry.exit_code.reset();
  entry.reason.clear();
  entry.slot = slots_[slot].label;
  FLOR_RETURN_IF_ERROR(journal_->put(entry));
  Result<ChildSpec> spec = hooks_.launch(entry, slots_[slot]);
  uint64_t out_from = spec.ok() ? file_size(spec->stdout_path) : 0;
  uint64_t err_from = spec.ok() ? file_size(spec->stderr_path) : 0;
  Result<std::unique_ptr<Child>> child =
      spec.ok() ? Child::spawn(*spec) : Result<std::unique_ptr<Child>>(spec.status());
  if (!child.ok()) return fail_attempt(std::move(entry), "cannot start: " + child.status().message(), "");
  // The journal knows the attempt's process before anything else happens.
  entry.pid = (*child)->pid();
  entry.pid_start = read_proc_stat(entry.pid).value_or(ProcStat{}).start_ticks;
  if (Status st = journal_->put(entry); !st.ok()) return st;  // ~Child stops it
  auto r = std::make_unique<Running>();
  r->entry = std::move(entry);
  r->slot = slot;
  r->child = std::move(child).value();
  r->stdout_path = spec->stdout_path;
  r->stderr_path = spec->stderr_path;
  r->stdout_from = out_from;
  r->stderr_from = err_from;
  r->started_mono = monotonic_s();
  r->next_mem_sample = r->started_mono + options_.meta.mem_trace_delay_s;
  slot_busy_[slot] = true;
  running_.push_back(std::move(r));
  emit(EventKind::kStarted, &running_.back()->entry, slots_[slot].label);
  return Status();
}

Status Scheduler::reap() {
  for (size_t i = 0; i < running_.size();) {
    std::optional<int> code = running_[i]->child->poll();
    if (!code) {
      ++i;
      continue;
    }
    std::unique_ptr<Running> r = std::move(running_[i]);
    running_.erase(running_.begin() + static_cast<long>(i));
    slot_busy_[r->slot] = false;
    FLOR_RETURN_IF_ERROR(finish(r.get(), *code));
  }
  return Status();
}

Status Scheduler::finish(Running* r, int exit_code) {
  Entry& e = r->entry;
  e.ended = unix_s();
  e.exit_code = exit_code;
  if (r->stopping) {  // not its fault: it runs again on restart
    e.state = RunState::kPending;
    e.reason = "stopped";
    return journal_->put(e);
  }
  if (exit_code != 0 || r->timed_out) {
    std::string reason =
        r->timed_out ? "timeout after " + seconds_text(options_.meta.timeout_s) : exit_reason(exit_code);
    std::string tail =
        log_tail(r->stdout_path, r->stdout_from, r->stderr_path, r->stderr_from, options_.tail_lines);
    return fail_attempt(std::move(e), reason, tail);
  }
  e.state = RunState::kDone;
  durations_.push_back(e.ended - e.started);
  summary_.done += 1;
  Status hook = hooks_.finished ? hooks_.finished(&e) : Status();
  FLOR_RETURN_IF_ERROR(journal_->put(e));
  emit(EventKind::kDone, journal_->find(e.hash), "");
  if (!hook.ok()) emit(EventKind::kWarning, nullptr, e.folder + ": " + hook.message());
  return Status();
}

Status Scheduler::fail_attempt(Entry entry, const std::string& reason, const std::string& tail) {
  if (entry.ended == 0) entry.ended = unix_s();
  entry.reason = reason;
  if (++tries_[entry.hash] <= options_.meta.retries) {
    entry.state = RunState::kPending;
    FLOR_RETURN_IF_ERROR(journal_->put(entry));
    queue_.push_front(entry);
    emit(EventKind::kRetrying, journal_->find(entry.hash), tail);
    return Status();
  }
  entry.state = RunState::kFailed;
  durations_.push_back(entry.ended - entry.started);
  summary_.failed += 1;
  Status hook = hooks_.finished ? hooks_.finished(&entry) : Status();
  FLOR_RETURN_IF_ERROR(journal_->put(entry));
  emit(EventKind::kFailed, journal_->find(entry.hash), tail);
  if (!hook.ok()) emit(EventKind::kWarning, nullptr, entry.folder + ": " + hook.message());
  if (options_.meta.on_failure == OnFailure::kHalt && !summary_.halted) {
    summary_.halted = true;
    queue_.clear();  // they stay pending in the journal: a restart runs them
    for (auto& r : running_) {
      r->stopping = true;
      r->child->terminate(options_.kill_grace_s);
    }
    emit(EventKind::kHalted, nullptr, entry.folder + " failed and meta.on_failure is \"halt\"");
  }
  return Status();
}

Status Scheduler::check_timeouts() {
  if (options_.meta.timeout_s <= 0) return Status();
  double now = monotonic_s();
  for (auto& r : running_) {
    if (!r->timed_out && now - r->started_mono > options_.meta.timeout_s) {
      r->timed_out = true;
      r->child->terminate(options_.kill_grace_s);
    }
  }
  return Status();
}

void Scheduler::trace_memory() {
  if (!options_.meta.mem_trace) return;
  double now = monotonic_s();
  for (auto& r : running_) {
    if (now < r->next_mem_sample) continue;
    r->next_mem_sample += options_.meta.mem_trace_delay_s;
    const int64_t gpu_mib = slot_has_gpu(slots_[r->slot])
                                ? sched::gpu_mem_mib(sched::process_tree(r->child->pid()),
                                                     sched::query_compute_apps(process_env()))
                                : 0;
    char line[160];
    std::snprintf(line, sizeof line, "[flor sweep] mem t=%.0fs rss_mib=%.1f gpu_mib=%.1f",
                  now - r->started_mono, sched::tree_rss_mib(r->child->pid()), static_cast<double>(gpu_mib));
    (void)append_line(r->stdout_path, line);  // a lost sample is not worth failing the run
  }
}

Status Scheduler::maybe_reload() {
  if (options_.watch_path.empty() || !hooks_.reload) return Status();
  uint64_t stamp = file_stamp(options_.watch_path);
  if (stamp == watch_stamp_) return Status();
  watch_stamp_ = stamp;
  Result<Reloaded> reloaded = hooks_.reload();
  if (!reloaded.ok()) {
    emit(EventKind::kWarning, nullptr,
         "config edit ignored (the queue is unchanged): " + reloaded.status().message());
    return Status();
  }
  apply_meta(reloaded->meta);
  const std::vector<Entry>& desired = reloaded->entries;
  std::set<std::string> wanted;
  for (const Entry& e : desired) wanted.insert(e.hash);
  std::set<std::string> active;
  std::vector<Entry> dropped;
  for (auto it = queue_.begin(); it != queue_.end();) {
    if (wanted.count(it->hash)) {
      active.insert(it->hash);
      ++it;
      continue;
    }
    it->state = RunState::kDropped;
    dropped.push_back(*it);
    it = queue_.erase(it);
  }
  for (const auto& r : running_) active.insert(r->entry.hash);
  FLOR_RETURN_IF_ERROR(journal_->put_all(dropped));
  for (const Entry& e : dropped) emit(EventKind::kDropped, journal_->find(e.hash), "");
  // Only permutations that never ran (or were dropped before) join the queue:
  // an edit does not re-run finished or failed ones.
  std::vector<Entry> added;
  for (const Entry& e : desired) {
    const Entry* known = journal_->find(e.hash);
    bool fresh = !known || known->state == RunState::kPending || known->state == RunState::kDropped;
    if (fresh && !active.count(e.hash)) added.push_back(e);
  }
  FLOR_RETURN_IF_ERROR(enqueue(added));
  for (const Entry& e : added) emit(EventKind::kAdded, journal_->find(e.hash), "");
  return Status();
}

// Meta keys that act on the queue apply at once (to attempts not started yet;
// a new timeout to running ones too); the ones that shape the slots or the
// command line apply at the next start of the sweep, and say so.
void Scheduler::apply_meta(const Meta& m) {
  Meta& cur = options_.meta;
  std::string later;
  auto changed = [&](bool differs, const char* key) {
    if (differs) later += std::string(later.empty() ? "" : ", ") + key;
  };
  changed(m.allow_cpu != cur.allow_cpu, "allow_cpu");
  changed(m.runs_per_gpu != cur.runs_per_gpu, "runs_per_gpu");
  changed(m.threads_per_run != cur.threads_per_run, "threads_per_run");
  changed(m.flag_style != cur.flag_style || m.flag_keys != cur.flag_keys, "flags");
  // 0 (one run per slot) means every slot this sweep started with.
  changed(m.max_parallel != cur.max_parallel && static_cast<size_t>(m.max_parallel) > slots_.size(),
          "max_parallel above the slots this sweep started with");
  if (!later.empty()) {
    emit(EventKind::kWarning, nullptr,
         "meta " + later + " changed: takes effect on the next start of the sweep");
  }
  cur.max_parallel = m.max_parallel;
  cur.retries = m.retries;
  cur.timeout_s = m.timeout_s;
  cur.on_failure = m.on_failure;
  cur.mem_trace = m.mem_trace;
  cur.mem_trace_delay_s = m.mem_trace_delay_s;
}

Status Scheduler::stop_all(const std::string& why) {
  for (auto& r : running_) {
    r->stopping = true;
    r->child->terminate(options_.kill_grace_s);
  }
  while (!running_.empty()) {
    FLOR_RETURN_IF_ERROR(reap());
    if (!running_.empty()) ::usleep(20000);
  }
  queue_.clear();
  emit(EventKind::kHalted, nullptr, why);
  return Status();
}

void Scheduler::report_progress() {
  if (!hooks_.on_progress) return;
  Progress p;
  for (const Entry* e : journal_->entries()) {
    p.done += e->state == RunState::kDone;
    p.failed += e->state == RunState::kFailed;
  }
  p.running = static_cast<int>(running_.size());
  p.queued = static_cast<int>(queue_.size());
  std::vector<double> elapsed;
  double now = monotonic_s();
  for (const auto& r : running_) elapsed.push_back(now - r->started_mono);
  p.eta_s = estimate_eta(durations_, elapsed, p.queued, static_cast<int>(slots_.size()));
  hooks_.on_progress(p);
}

}  // namespace flor::sweep
