// The sweep scheduler with real child processes (/bin/sh): parallelism,
// failures, retries, halt, timeout, restart, live edits, interrupt, memory trace.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/temp_dir.h"
#include "sched/memtrace.h"
#include "util/durable_file.h"
#include "sweep/scheduler.h"
#include "util/proc_stat.h"

namespace flor::sweep {
namespace {

using test::TempDir;

// A sweep over "x" whose runs execute `script` with $X set to the value.
struct Fixture {
  TempDir dir;
  std::string config_path = dir.path + "/sweep.json";
  std::string script;
  Journal journal = *Journal::open(dir.path + "/journal.json");
  std::vector<Event> events;
  std::vector<std::string> launched;
  std::function<void(const Event&)> on_event;
  SchedulerOptions options;

  explicit Fixture(std::string sh) : script(std::move(sh)) { options.tick_s = 0.02; }

  std::vector<Entry> entries_of(const std::string& config_text) {
    REQUIRE(write_file_atomic(config_path, config_text).ok());
    Config c = *load_config(config_path);
    options.meta = c.meta;
    return entries_for(c, *expand(c), journal);
  }

  Hooks hooks() {
    Hooks h;
    h.launch = [this](const Entry& e, const Slot& slot) -> Result<ChildSpec> {
      launched.push_back(value_text(e.params["x"]));
      ChildSpec spec;
      spec.argv = {"/bin/sh", "-c", script};
      spec.env = slot.env;
      spec.env["X"] = value_text(e.params["x"]);
      spec.env["SHARED"] = dir.path + "/shared.log";
      spec.stdout_path = dir.path + "/runs/" + e.folder + "/stdout.log";
      spec.stderr_path = dir.path + "/runs/" + e.folder + "/stderr.log";
      return spec;
    };
    h.finished = [](Entry* e) {
      e->final_metrics = {{"attempts_seen", e->attempts}};
      return Status();
    };
    h.reload = [this]() -> Result<Reloaded> {
      FLOR_ASSIGN_OR_RETURN(Config c, load_config(config_path));
      FLOR_ASSIGN_OR_RETURN(std::vector<Permutation> perms, expand(c));
      return Reloaded{entries_for(c, perms, journal), c.meta};
    };
    h.on_event = [this](const Event& e) {
      events.push_back(e);
      if (on_event) on_event(e);
    };
    return h;
  }

  Summary run(const std::vector<Entry>& entries, int slots, const std::atomic<bool>& stop) {
    Meta m;
    m.max_parallel = slots;
    std::vector<Slot> s = *make_slots(m, sched::Devices{{}, {0, 1}});
    Scheduler sched(&journal, s, options, hooks());
    Result<Summary> r = sched.run(entries, stop);
    INFO(r.status().message());
    REQUIRE(r.ok());
    return *r;
  }
  Summary run(const std::vector<Entry>& entries, int slots) {
    std::atomic<bool> never(false);
    return run(entries, slots, never);
  }

  RunState state_of(const std::string& folder) {
    for (const Entry* e : journal.entries()) {
      if (e->folder == folder) return e->state;
    }
    FAIL("no entry " << folder);
    return RunState::kDropped;
  }
  int count(EventKind kind) {
    return static_cast<int>(
        std::count_if(events.begin(), events.end(), [&](const Event& e) { return e.kind == kind; }));
  }
};

// Runs append "+" when they start and "-" when they end; the deepest nesting
// is how many ran at once.
int max_overlap_of(const std::string& s) {
  int depth = 0, best = 0;
  for (char c : s) {
    depth += c == '+' ? 1 : c == '-' ? -1 : 0;
    best = std::max(best, depth);
  }
  return best;
}
int max_overlap(const std::string& path) { return max_overlap_of(*read_file(path)); }

TEST_CASE("scheduler: all runs finish, at most max_parallel at once", "[sweep]") {
  Fixture f("echo + >> $SHARED; echo \"epoch 1 x=$X\"; sleep 0.3; echo - >> $SHARED");
  std::vector<Entry> es = f.entries_of(R"({"data_name": "t", "x": [1, 2, 3, 4, 5]})");
  Summary s = f.run(es, 2);
  CHECK(s.done == 5);
  CHECK(s.failed == 0);
  CHECK(max_overlap(f.dir.path + "/shared.log") == 2);
  for (const Entry* e : f.journal.entries()) {
    CHECK(e->state == RunState::kDone);
    CHECK(e->exit_code == 0);
    CHECK(e->final_metrics["attempts_seen"] == 1);
    CHECK(e->ended >= e->started);
  }
  CHECK(read_file(f.dir.path + "/runs/t_x3/stdout.log").value() == "epoch 1 x=3\n");
}

TEST_CASE("scheduler: slots pin thread counts", "[sweep]") {
  Fixture f("echo $OMP_NUM_THREADS $MKL_NUM_THREADS $FLOR_THREADS");
  f.run(f.entries_of(R"({"data_name": "t", "x": [1]})"), 2);  // 2 slots on 2 cores: 1 thread each
  CHECK(read_file(f.dir.path + "/runs/t_x1/stdout.log").value() == "1 1 1\n");
}

TEST_CASE("scheduler: a failure with continue shows its log tail and the rest run", "[sweep]") {
  Fixture f("if [ $X = 2 ]; then echo bad input $X >&2; exit 3; fi; echo ok");
  std::vector<Entry> es = f.entries_of(R"({"data_name": "t", "x": [1, 2, 3], "meta": {"retries": 1}})");
  Summary s = f.run(es, 1);
  CHECK(s.done == 2);
  CHECK(s.failed == 1);
  CHECK(f.state_of("t_x2") == RunState::kFailed);
  const Entry* bad = f.journal.find(es[1].hash);
  CHECK(bad->attempts == 2);  // retries: 1
  CHECK(bad->reason == "exit status 3");
  CHECK(*bad->exit_code == 3);
  REQUIRE(f.count(EventKind::kRetrying) == 1);
  REQUIRE(f.count(EventKind::kFailed) == 1);
  for (const Event& e : f.events) {
    if (e.kind == EventKind::kFailed) CHECK(e.text == "bad input 2");
  }
  // The failure is reported when it happens, before later runs start.
  auto failed_at = std::find_if(f.events.begin(), f.events.end(),
                                [](const Event& e) { return e.kind == EventKind::kFailed; });
  CHECK(std::any_of(failed_at, f.events.end(), [](const Event& e) { return e.kind == EventKind::kStarted; }));
}

TEST_CASE("scheduler: halt stops the sweep and leaves the rest pending", "[sweep]") {
  Fixture f("if [ $X = 1 ]; then exit 1; fi; sleep 5");
  std::vector<Entry> es =
      f.entries_of(R"({"data_name": "t", "x": [1, 2, 3, 4], "meta": {"on_failure": "halt"}})");
  f.options.kill_grace_s = 0.5;
  double t0 = monotonic_s();
  Summary s = f.run(es, 2);
  CHECK(monotonic_s() - t0 < 3);  // the sleeping run was killed
  CHECK(s.halted);
  CHECK(s.failed == 1);
  CHECK(f.state_of("t_x1") == RunState::kFailed);
  CHECK(f.state_of("t_x2") == RunState::kPending);  // killed by the halt: runs again on restart
  CHECK(f.state_of("t_x3") == RunState::kPending);
  CHECK(f.launched.size() == 2);
  CHECK(f.count(EventKind::kHalted) == 1);
}

TEST_CASE("scheduler: a run over its timeout is killed and failed", "[sweep]") {
  Fixture f("echo started; exec sleep 30");
  std::vector<Entry> es = f.entries_of(R"({"data_name": "t", "x": [1], "meta": {"timeout_s": 0.3}})");
  double t0 = monotonic_s();
  Summary s = f.run(es, 1);
  CHECK(monotonic_s() - t0 < 3);
  CHECK(s.failed == 1);
  const Entry* e = f.journal.find(es[0].hash);
  CHECK(e->reason == "timeout after 0.3s");
  CHECK(*e->exit_code == 128 + 15);
}

TEST_CASE("scheduler: a restart skips finished runs by hash", "[sweep]") {
  Fixture f("if [ -e $SHARED.fail$X ]; then exit 1; fi; echo + >> $SHARED");
  REQUIRE(write_file_atomic(f.dir.path + "/shared.log.fail2", "").ok());
  f.run(f.entries_of(R"({"data_name": "t", "x": [1, 2, 3]})"), 2);
  CHECK(f.launched.size() == 3);
  // Same permutations, other order: nothing runs again.
  f.launched.clear();
  f.run(f.entries_of(R"({"data_name": "t", "x": [3, 2, 1]})"), 2);
  CHECK(f.launched.empty());
  // --retry-failed runs only the failure.
  std::filesystem::remove(f.dir.path + "/shared.log.fail2");
  f.options.rerun = Rerun::kRetryFailed;
  f.run(f.entries_of(R"({"data_name": "t", "x": [1, 2, 3]})"), 2);
  CHECK(f.launched == std::vector<std::string>{"2"});
  CHECK(f.state_of("t_x2") == RunState::kDone);
}

TEST_CASE("scheduler: editing the config adds and drops pending runs", "[sweep]") {
  Fixture f("echo $X >> $SHARED; sleep 0.3");
  std::vector<Entry> es = f.entries_of(R"({"data_name": "t", "x": [1, 2, 3]})");
  f.options.watch_path = f.config_path;
  f.on_event = [&](const Event& e) {
    // While x=1 runs: 3 leaves the config (pending: dropped), 7 joins it.
    if (e.kind == EventKind::kStarted && e.entry->params["x"] == 1) {
      REQUIRE(write_file_atomic(f.config_path, R"({"data_name": "t", "x": [1, 2, 7],   "meta": {}})").ok());
    }
  };
  Summary s = f.run(es, 1);
  CHECK(s.done == 3);
  CHECK(read_file(f.dir.path + "/shared.log").value() == "1\n2\n7\n");
  CHECK(f.state_of("t_x3") == RunState::kDropped);
  CHECK(f.state_of("t_x7") == RunState::kDone);
  CHECK(f.count(EventKind::kAdded) == 1);
  CHECK(f.count(EventKind::kDropped) == 1);
}

TEST_CASE("scheduler: a meta edit applies to the runs not started yet", "[sweep]") {
  Fixture f(
      "echo +$X >> $SHARED; sleep 0.3; echo -$X >> $SHARED; [ $X != 3 ] || [ -e $SHARED.retried ] || "
      "{ touch $SHARED.retried; exit 1; }");
  std::vector<Entry> es =
      f.entries_of(R"({"data_name": "t", "x": [1, 2, 3, 4], "meta": {"max_parallel": 2}})");
  f.options.watch_path = f.config_path;
  f.on_event = [&](const Event& e) {
    // x=1 and x=2 start together; then one at a time, x=3 gets a retry, and a
    // slot setting is only announced for the next start.
    if (e.kind == EventKind::kStarted && e.entry->params["x"] == 1) {
      REQUIRE(write_file_atomic(f.config_path, R"({"data_name": "t", "x": [1, 2, 3, 4],
          "meta": {"max_parallel": 1, "retries": 1, "threads_per_run": 1}})")
                  .ok());
    }
  };
  Summary s = f.run(es, 2);
  CHECK(s.done == 4);
  CHECK(s.failed == 0);
  const std::string log = read_file(f.dir.path + "/shared.log").value();
  INFO(log);
  CHECK(max_overlap_of(log.substr(log.find("+3"))) == 1);
  REQUIRE(f.count(EventKind::kWarning) == 1);
  for (const Event& e : f.events) {
    if (e.kind == EventKind::kWarning)
      CHECK(e.text == "meta threads_per_run changed: takes effect on the next start of the sweep");
  }
}

TEST_CASE("scheduler: a broken edit is a warning, the queue goes on", "[sweep]") {
  Fixture f("sleep 0.2");
  std::vector<Entry> es = f.entries_of(R"({"data_name": "t", "x": [1, 2]})");
  f.options.watch_path = f.config_path;
  f.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kStarted && e.entry->params["x"] == 1) {
      REQUIRE(write_file_atomic(f.config_path, "{\"x\": [1, 2,\n").ok());
    }
  };
  Summary s = f.run(es, 1);
  CHECK(s.done == 2);
  REQUIRE(f.count(EventKind::kWarning) == 1);
  for (const Event& e : f.events) {
    if (e.kind == EventKind::kWarning)
      CHECK(e.text.find("sweep.json:2:1: malformed JSON") != std::string::npos);
  }
}

TEST_CASE("scheduler: an interrupt stops runs and leaves them pending", "[sweep]") {
  Fixture f("exec sleep 30");
  std::vector<Entry> es = f.entries_of(R"({"data_name": "t", "x": [1, 2, 3]})");
  std::atomic<bool> stop(false);
  f.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kStarted) stop = true;
  };
  double t0 = monotonic_s();
  Summary s = f.run(es, 2, stop);
  CHECK(monotonic_s() - t0 < 3);
  CHECK(s.interrupted);
  for (const Entry* e : f.journal.entries()) CHECK(e->state == RunState::kPending);
}

// A killed sweep can leave an attempt alive (its journal says running): the
// restart stops it before the permutation runs again, and leaves alone a
// process that only reuses a recorded pid (its start time differs).
TEST_CASE("scheduler: a restart stops an earlier attempt still alive before running it again", "[sweep]") {
  // Each run notes whether the old attempt was still alive when it started.
  Fixture f(
      "s=$(cut -d' ' -f3 /proc/$(cat $SHARED.old)/stat 2>/dev/null); "
      "[ -n \"$s\" ] && [ \"$s\" != Z ] && echo overlap$X >> $SHARED; echo ran$X >> $SHARED");
  f.options.kill_grace_s = 0.3;
  std::vector<Entry> es = f.entries_of(R"({"data_name": "t", "x": [1, 2]})");
  auto sleeper = [&](const char* name) {
    ChildSpec spec;
    spec.argv = {"/bin/sh", "-c", "trap '' TERM; exec sleep 30"};  // ignores SIGTERM: needs the SIGKILL
    spec.stdout_path = spec.stderr_path = f.dir.path + "/" + name + ".log";
    return Child::spawn(spec).value();
  };
  std::unique_ptr<Child> old = sleeper("old"), unrelated = sleeper("unrelated");
  REQUIRE(write_file_atomic(f.dir.path + "/shared.log.old", std::to_string(old->pid())).ok());
  ::usleep(100000);  // the trap is set
  for (int i = 0; i < 2; ++i) {
    const Child& c = i == 0 ? *old : *unrelated;
    es[i].state = RunState::kRunning;
    es[i].attempts = 1;
    es[i].pid = c.pid();
    es[i].pid_start = read_proc_stat(c.pid())->start_ticks + (i == 0 ? 0 : 1);  // x2: pid reused
  }
  REQUIRE(f.journal.put_all(es).ok());
  f.run(f.entries_of(R"({"data_name": "t", "x": [1, 2]})"), 2);
  std::string shared = *read_file(f.dir.path + "/shared.log");
  CHECK(shared.find("overlap1") == std::string::npos);
  CHECK(shared.find("ran1") != std::string::npos);
  CHECK(shared.find("ran2") != std::string::npos);
  CHECK(old->poll() == 128 + SIGKILL);
  CHECK_FALSE(unrelated->poll().has_value());
  CHECK(f.count(EventKind::kWarning) == 1);
  // The journal on disk keeps each attempt's process.
  const Entry* x1 = Journal::open(f.journal.path())->find(es[0].hash);
  REQUIRE(x1 != nullptr);
  CHECK(x1->pid > 0);
  CHECK(x1->pid != old->pid());
  CHECK(x1->pid_start > 0);
}

TEST_CASE("scheduler: a program that cannot start is a failed run", "[sweep]") {
  Fixture f("unused");
  std::vector<Entry> es = f.entries_of(R"({"data_name": "t", "x": [1]})");
  Hooks h = f.hooks();
  h.launch = [&](const Entry& e, const Slot&) -> Result<ChildSpec> {
    ChildSpec spec;
    spec.argv = {f.dir.path + "/no-such-program"};
    spec.stdout_path = f.dir.path + "/runs/" + e.folder + "/stdout.log";
    spec.stderr_path = f.dir.path + "/runs/" + e.folder + "/stderr.log";
    return spec;
  };
  Meta m;
  Scheduler sched(&f.journal, *make_slots(m, sched::Devices{{}, {0}}), f.options, h);
  std::atomic<bool> never(false);
  Summary s = *sched.run(es, never);
  CHECK(s.failed == 1);
  CHECK(f.journal.find(es[0].hash)->reason.find("cannot start") == 0);
}

TEST_CASE("scheduler: the memory trace goes into the run's log", "[sweep]") {
  Fixture f("sleep 0.5");
  std::vector<Entry> es = f.entries_of(
      R"({"data_name": "t", "x": [1], "meta": {"mem_trace": {"enabled": true, "delay_s": 0.1}}})");
  f.run(es, 1);
  std::string log = *read_file(f.dir.path + "/runs/t_x1/stdout.log");
  CHECK(log.find("[flor sweep] mem t=0s rss_mib=") == 0);
  CHECK(log.find("gpu_mib=0.0") != std::string::npos);
}

TEST_CASE("slots: GPUs pinned one run each, CPU only when allowed", "[sweep]") {
  Meta m;
  m.max_parallel = 3;
  sched::Devices gpus{{"0", "1"}, {0, 1, 2, 3, 4, 5, 6, 7}};
  sched::Devices cpus{{}, gpus.cpus};
  std::vector<Slot> gpu = *make_slots(m, gpus);
  REQUIRE(gpu.size() == 2);  // never two runs on one GPU unless asked
  CHECK(gpu[1].env.at("CUDA_VISIBLE_DEVICES") == "1");
  CHECK(gpu[1].env.at("CUDA_DEVICE_ORDER") == "PCI_BUS_ID");
  CHECK(slot_has_gpu(gpu[0]));
  m.runs_per_gpu = 2;
  CHECK(make_slots(m, gpus)->size() == 3);
  std::vector<Slot> cpu = *make_slots(m, cpus);
  REQUIRE(cpu.size() == 3);
  CHECK(cpu[0].env.at("OMP_NUM_THREADS") == "2");
  CHECK(slot_threads(cpu[0]) == 2);
  CHECK(cpu[2].cpus == std::vector<int>{4, 5});
  CHECK_FALSE(slot_has_gpu(cpu[0]));
  m.max_parallel = 0;
  CHECK(make_slots(m, cpus)->size() == 8);  // one per core by default
  m.allow_cpu = false;
  CHECK(make_slots(m, cpus).status().message().find("allow_cpu") != std::string::npos);
}

TEST_CASE("process tree and RSS of a running child", "[sweep]") {
  TempDir dir;
  ChildSpec spec;
  spec.argv = {"/bin/sh", "-c", "sleep 5 & wait"};
  spec.stdout_path = dir.path + "/o";
  spec.stderr_path = dir.path + "/e";
  std::unique_ptr<Child> c = Child::spawn(spec).value();
  ::usleep(200000);
  CHECK(sched::process_tree(c->pid()).size() >= 2);
  CHECK(sched::tree_rss_mib(c->pid()) > 0);
  CHECK_FALSE(c->poll().has_value());
  c->terminate(1);
  while (!c->poll()) ::usleep(10000);
  CHECK(*c->poll() == 128 + 15);
}

}  // namespace
}  // namespace flor::sweep
