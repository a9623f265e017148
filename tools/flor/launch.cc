#include "launch.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "sched/devices.h"

namespace flor::cli {

store::RunStatus final_status(const sched::ExitInfo& exit, store::RunStatus runtime_status) {
  if (exit.interrupted) return store::RunStatus::kInterrupted;
  if (exit.exit_code != 0) return store::RunStatus::kFailed;
  return runtime_status == store::RunStatus::kRunning ? store::RunStatus::kComplete : runtime_status;
}

std::map<std::string, std::string> training_env(const Contract& contract, int threads) {
  auto env = contract_env(contract);
  for (auto& [k, v] : sched::thread_env(threads)) env[k] = v;
  return env;
}

Status ensure_log_dir(const store::Store& store) {
  std::string dir = store.dir() + "/logs";
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return io_error("cannot create " + dir + ": " + std::strerror(errno));
  }
  return Status();
}

Result<std::vector<sched::ExitInfo>> launch(store::Store& store, const std::vector<Worker>& workers,
                                            const std::function<void()>& tick,
                                            std::chrono::milliseconds interval) {
  sched::ProcessGroup group;
  for (size_t i = 0; i < workers.size(); ++i) {
    auto started = group.start(workers[i].spec);
    if (!started.ok()) {
      for (const Worker& w : workers) (void)store.finish_run(w.run, store::RunStatus::kFailed, std::nullopt);
      return started.status();  // the group's destructor stops the ones already running
    }
  }
  std::vector<sched::ExitInfo> exits = group.wait(tick, interval);
  Status unmarked;  // the first run whose end the store refused (a full disk): the others are still tried
  for (size_t i = 0; i < workers.size(); ++i) {
    auto run = store.run(workers[i].run);
    store::RunStatus written = run.ok() ? run->status : store::RunStatus::kRunning;
    const store::RunStatus status = final_status(exits[i], written);
    Status s = store.finish_run(workers[i].run, status, exits[i].exit_code);
    if (!s.ok() && unmarked.ok()) {
      unmarked = s.with_context("cannot mark run " + std::to_string(workers[i].run) + " of '" +
                                (run.ok() ? run->name : store.dir()) + "' as " + store::to_string(status) + " (exit " +
                                std::to_string(exits[i].exit_code) + "); it stays 'running' in the store");
    }
  }
  FLOR_RETURN_IF_ERROR(unmarked);
  return exits;
}

}  // namespace flor::cli
