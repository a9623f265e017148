#include "replay/workers.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "sched/devices.h"
#include "sched/memtrace.h"
#include "sched/nvidia_smi.h"
#include "store/cuda_env.h"

namespace flor::replay {

store::RunStatus final_status(const sched::ExitInfo& exit, store::RunStatus runtime_status, Claimed claimed) {
  if (exit.interrupted) return store::RunStatus::kInterrupted;
  if (exit.exit_code != 0) return store::RunStatus::kFailed;
  // A reader may have found the program gone before this driver reaped it: the exit status tells more.
  const bool unfinished = runtime_status == store::RunStatus::kRunning || runtime_status == store::RunStatus::kDead;
  if (!unfinished) return runtime_status;
  // A runtime that claimed the run and exited 0 without ending it could not
  // write its end (a full disk): what it could not store is unknown, so failed.
  return claimed == Claimed::kByRuntime ? store::RunStatus::kFailed : store::RunStatus::kComplete;
}

std::map<std::string, std::string> training_env(const Contract& contract, int threads, const EnvLookup& parent) {
  auto env = contract_env(contract);
  for (auto& [k, v] : sched::thread_env(threads)) env[k] = v;
  // Before the program starts: cuBLAS reads it when CUDA initialises, which a
  // program may do before the runtime could set it. The user's value wins.
  if (!parent(kEnvCublasWorkspace)) env[kEnvCublasWorkspace] = kCublasWorkspaceDeterministic;
  return env;
}

// With a PostgreSQL store the experiment folder is a local cache: on a machine
// that never saw the experiment it does not exist yet.
Status ensure_log_dir(const store::Store& store) {
  const std::string dir = store.dir() + "/logs";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return io_error("cannot create " + dir + ": " + ec.message());
  return Status();
}

namespace {

// The most GPU memory each worker's process tree held: one nvidia-smi call per
// sample for all workers, and none on a machine without GPUs.
class GpuPeaks {
 public:
  explicit GpuPeaks(const EnvLookup& env) : env_(env), gpus_(!sched::discover_devices(env).gpus.empty()) {}

  void sample(const sched::ProcessGroup& group, size_t workers) {
    if (!gpus_) return;
    peaks_.resize(workers, 0);
    const std::map<int, int64_t> used = sched::query_compute_apps(env_);
    if (used.empty()) return;
    for (size_t i = 0; i < workers; ++i) {
      // An ended worker's pid lists nothing: nvidia-smi only names live processes.
      const int64_t mib = sched::gpu_mem_mib(sched::process_tree(group.pid(static_cast<int>(i))), used);
      peaks_[i] = std::max(peaks_[i], mib);
    }
  }

  // Worker i's peak into its run's info; none seen, nothing written.
  void store_peak(store::Store& store, size_t i, store::Run& run) const {
    if (i >= peaks_.size() || peaks_[i] <= 0) return;
    run.info.gpu_mem_peak_mib = peaks_[i];
    (void)store.set_run_info(run.id, run.info);  // a lost peak only leaves a later replay's memory unchecked
  }

 private:
  EnvLookup env_;
  bool gpus_;
  std::vector<int64_t> peaks_;
};

}  // namespace

Result<std::vector<sched::ExitInfo>> run_workers(store::Store& store, const std::vector<Worker>& workers_in,
                                                 const std::function<void()>& tick,
                                                 std::chrono::milliseconds interval,
                                                 std::chrono::milliseconds kill_after, const NextWorker& next) {
  sched::ProcessGroup group(kill_after);
  std::vector<Worker> workers = workers_in;  // and those `next` gives
  for (size_t i = 0; i < workers.size(); ++i) {
    auto started = group.start(workers[i].spec);
    if (!started.ok()) {
      for (const Worker& w : workers) (void)store.finish_run(w.run, store::RunStatus::kFailed, std::nullopt);
      return started.status();  // the group's destructor stops the ones already running
    }
  }
  Status refill;  // the first failure to make or start a next worker: no more are started
  std::function<void(int)> ended;
  if (next) {
    ended = [&](int i) {
      if (group.interrupted() || !refill.ok()) return;
      auto w = next(i);
      if (!w.ok()) refill = w.status();
      if (!w.ok() || !*w) return;
      if (auto started = group.start((*w)->spec); !started.ok()) {
        (void)store.finish_run((*w)->run, store::RunStatus::kFailed, std::nullopt);
        refill = started.status();
        return;
      }
      workers.push_back(std::move(**w));
    };
  }
  GpuPeaks peaks(process_env());
  auto sample = [&] {
    peaks.sample(group, workers.size());
    if (tick) tick();
  };
  std::vector<sched::ExitInfo> exits = group.wait(sample, interval, ended);
  Status unmarked;  // the first run whose end the store refused (a full disk): the others are still tried
  for (size_t i = 0; i < workers.size(); ++i) {
    if (exits[i].killed) {
      std::fprintf(stderr,
                   "flor: %s (run %lld) was still running %.3g s after the signal: killed it (SIGKILL)\n",
                   workers[i].spec.argv[0].c_str(), static_cast<long long>(workers[i].run),
                   static_cast<double>(kill_after.count()) / 1000);
    }
    auto run = store.run(workers[i].run);
    if (run.ok()) peaks.store_peak(store, i, *run);
    store::RunStatus written = run.ok() ? run->status : store::RunStatus::kRunning;
    // A run the store cannot show (its server went away) may have lost rows: counted as the runtime's.
    const Claimed claimed =
        !run.ok() || (run->process && run->process->pid != ::getpid()) ? Claimed::kByRuntime : Claimed::kNo;
    const store::RunStatus status = final_status(exits[i], written, claimed);
    Status s = store.finish_run(workers[i].run, status, exits[i].exit_code);
    if (!s.ok() && unmarked.ok()) {
      unmarked = s.with_context("cannot mark run " + std::to_string(workers[i].run) + " of '" +
                                (run.ok() ? run->name : store.dir()) + "' as " + store::to_string(status) + " (exit " +
                                std::to_string(exits[i].exit_code) + "); it stays 'running' in the store");
    }
  }
  FLOR_RETURN_IF_ERROR(refill);
  FLOR_RETURN_IF_ERROR(unmarked);
  return exits;
}

}  // namespace flor::replay
