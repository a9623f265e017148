// Running the training program for one or more runs of the store: the shared
// part of `flor run` (one child, output live) and `flor replay` (one child, or
// N workers with per-worker logs).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <vector>

#include "sched/process.h"
#include "store/contract.h"
#include "store/store.h"

namespace flor::replay {

struct Worker {
  int64_t run = 0;          // the store row this process fills
  sched::SpawnSpec spec;
};

// Starts every worker, streams and copies output, forwards Ctrl-C and SIGTERM
// (SIGKILL `kill_after` later to a worker that ignores them, said on stderr), and
// marks each run's final status (final_status). A worker that cannot start is an
// error (its run and those already started are marked failed). On a machine
// with GPUs (sched::discover_devices) each worker's process tree's GPU memory
// is sampled every `interval` (nvidia-smi) and its peak kept in its run's info
// (gpu_mem_peak_mib); without GPUs nvidia-smi never runs.
//
// A work queue: when worker i ends (not after Ctrl-C), `next(i)` (may be
// empty) may give one more to start in its place; i counts the workers in
// start order, and so do the exits returned. It errs when it cannot make one;
// the workers running then are still waited for.
using NextWorker = std::function<Result<std::optional<Worker>>(int ended)>;
Result<std::vector<sched::ExitInfo>> run_workers(store::Store& store, const std::vector<Worker>& workers,
                                                 const std::function<void()>& tick,
                                                 std::chrono::milliseconds interval,
                                                 std::chrono::milliseconds kill_after, const NextWorker& next = {});

// Interrupted when Ctrl-C ended it, failed on a non-zero exit, otherwise what
// the runtime wrote; when it wrote no end: complete for a program without flor,
// failed for one whose runtime claimed the run (it could not write its end).
enum class Claimed { kNo, kByRuntime };  // whether the training program's runtime took the run over
store::RunStatus final_status(const sched::ExitInfo& exit, store::RunStatus runtime_status, Claimed claimed);

// The environment of a training process: the contract plus pinned thread
// counts, and CUBLAS_WORKSPACE_CONFIG=:4096:8 (deterministic cuBLAS; ignored
// without CUDA) unless `parent` (the driver's environment) sets it.
std::map<std::string, std::string> training_env(const Contract& contract, int threads,
                                                const EnvLookup& parent = process_env());

// Creates FLOR_HOME/NAME/logs when missing.
Status ensure_log_dir(const store::Store& store);

}  // namespace flor::replay
