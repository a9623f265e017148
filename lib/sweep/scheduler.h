// The loop of a sweep: hands queued permutations to free slots, reaps them,
// applies retries, the timeout and the failure policy, samples memory, and
// reloads the config when its file changes. Every state change goes to the
// journal first, so killing the sweep at any point loses at most the runs in
// flight (they stay pending and run again on restart). Their processes die
// with the sweep (sched::spawn); one that is still alive when the sweep starts
// again (the journal keeps each attempt's pid and start time) is stopped
// before anything starts, so no permutation ever runs twice at once.
//
// Single-threaded; the hooks run on the caller's thread.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sweep/child.h"
#include "sweep/journal.h"
#include "sweep/rerun.h"
#include "sweep/report.h"
#include "sweep/slots.h"

namespace flor::sweep {

enum class EventKind { kStarted, kRetrying, kDone, kFailed, kAdded, kDropped, kWarning, kHalted };

struct Event {
  EventKind kind;
  const Entry* entry = nullptr;  // null for kWarning / kHalted
  std::string text;              // kFailed: the log tail; kWarning: the message; else a short note
};

struct Reloaded {
  std::vector<Entry> entries;
  Meta meta;
};

struct Hooks {
  // The process for one attempt of `entry` on `slot` (required).
  std::function<Result<ChildSpec>(const Entry& entry, const Slot& slot)> launch;
  // Called when an attempt ended for good (done or failed): collect metrics,
  // write the run's files. May fill entry->final_metrics and entry->flor_run.
  std::function<Status(Entry* entry)> finished;
  // The config as it is now (after an edit): its permutations and its meta.
  // Errors keep the old queue and settings and become a warning.
  std::function<Result<Reloaded>()> reload;
  std::function<void(const Event&)> on_event;
  std::function<void(const Progress&)> on_progress;
};

struct SchedulerOptions {
  Meta meta;               // max_parallel, retries, timeout_s, on_failure, mem_trace (live)
  std::string watch_path;  // the config file; "" = no live reload
  Rerun rerun = Rerun::kResume;
  double tick_s = 0.1;
  double kill_grace_s = 5;  // between SIGTERM and SIGKILL
  int tail_lines = 20;      // of a failed run's log, shown at once
};

struct Summary {
  int done = 0;
  int failed = 0;
  bool halted = false;       // on_failure "halt" stopped it
  bool interrupted = false;  // `stop` was set
};

class Scheduler {
 public:
  // `journal` must outlive the scheduler.
  Scheduler(Journal* journal, std::vector<Slot> slots, SchedulerOptions options, Hooks hooks);
  ~Scheduler();

  // Queues the entries that `options.rerun` wants (entries_for of the
  // expansion) and runs until the queue is empty, a halt, or `stop`.
  Result<Summary> run(const std::vector<Entry>& entries, const std::atomic<bool>& stop);

 private:
  struct Running;

  Status stop_earlier_attempts();
  Status enqueue(const std::vector<Entry>& entries);
  Status start_ready();
  Status start(Entry entry, size_t slot);
  Status reap();
  Status finish(Running* r, int exit_code);
  Status fail_attempt(Entry entry, const std::string& reason, const std::string& tail);
  Status check_timeouts();
  void trace_memory();
  Status maybe_reload();
  void apply_meta(const Meta& meta);
  Status stop_all(const std::string& why);
  void report_progress();
  void emit(EventKind kind, const Entry* entry, const std::string& text);

  Journal* journal_;
  std::vector<Slot> slots_;
  SchedulerOptions options_;
  Hooks hooks_;
  std::deque<Entry> queue_;
  std::vector<std::unique_ptr<Running>> running_;
  std::vector<bool> slot_busy_;
  std::vector<double> durations_;
  std::map<std::string, int> tries_;  // failed attempts this session, by hash
  uint64_t watch_stamp_ = 0;
  Summary summary_;
  std::string last_progress_;
};

}  // namespace flor::sweep
