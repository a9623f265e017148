// lib/replay: the final status of a worker's run, what a record that did not
// complete leaves to replay, and real worker processes run against a real store.
#include <catch2/catch.hpp>

#include <string>

#include "common/temp_dir.h"
#include "replay/report.h"
#include "replay/workers.h"
#include "sched/process.h"
#include "store/store.h"

namespace flor::replay {
namespace {

using store::RunStatus;

sched::ExitInfo exited(int code) {
  sched::ExitInfo e;
  e.exit_code = code;
  return e;
}

TEST_CASE("replay: a worker's final status: Ctrl-C, its exit code, then what its runtime wrote", "[replay]") {
  sched::ExitInfo interrupted = exited(130);
  interrupted.interrupted = true;
  CHECK(final_status(interrupted, RunStatus::kComplete, Claimed::kByRuntime) == RunStatus::kInterrupted);
  CHECK(final_status(exited(1), RunStatus::kComplete, Claimed::kByRuntime) == RunStatus::kFailed);
  CHECK(final_status(exited(0), RunStatus::kFailed, Claimed::kByRuntime) == RunStatus::kFailed);  // the runtime's word
  CHECK(final_status(exited(0), RunStatus::kComplete, Claimed::kByRuntime) == RunStatus::kComplete);
  // No end written: a program without flor completed; a runtime that claimed
  // the run and could not end it failed (what it lost is unknown).
  CHECK(final_status(exited(0), RunStatus::kRunning, Claimed::kNo) == RunStatus::kComplete);
  CHECK(final_status(exited(0), RunStatus::kRunning, Claimed::kByRuntime) == RunStatus::kFailed);
  CHECK(final_status(exited(0), RunStatus::kDead, Claimed::kByRuntime) == RunStatus::kFailed);
}

TEST_CASE("replay: a record that did not complete says how it ended and what a replay covers", "[replay]") {
  store::Run record;
  record.id = 1;
  record.status = RunStatus::kComplete;
  CHECK(record_outcome(record, 5).empty());
  record.status = RunStatus::kFailed;
  record.exit_code = 134;
  CHECK(record_outcome(record, 2) == "run 1 failed (exit 134) after epoch 1: replay covers its epochs 0-1 only");
  record.status = RunStatus::kInterrupted;
  CHECK(record_outcome(record, 0) == "run 1 was interrupted before its first epoch ended");
}

TEST_CASE("replay: run_workers starts real processes and marks each run by its exit", "[replay]") {
  test::TempDir home;
  auto opened = store::Store::open(home.path, "exp");
  REQUIRE(opened.ok());
  store::Store& store = **opened;
  REQUIRE(ensure_log_dir(store).ok());
  std::vector<Worker> workers;
  for (const char* script : {"echo hello", "exit 3"}) {
    store::Run row;
    row.name = "exp";
    row.kind = store::RunKind::kRecord;
    auto id = store.create_run(row);
    REQUIRE(id.ok());
    sched::SpawnSpec spec{{"/bin/sh", "-c", script}, training_env({}, 2), home.path + "/exp/logs/" + script[0] + ".out",
                          sched::Echo::kNone, {}, ""};
    workers.push_back({*id, spec});
  }
  auto exits = run_workers(store, workers, nullptr, std::chrono::milliseconds(50), std::chrono::milliseconds(1000));
  REQUIRE(exits.ok());
  CHECK((*exits)[0].exit_code == 0);
  CHECK((*exits)[1].exit_code == 3);
  CHECK(store.run(workers[0].run)->status == RunStatus::kComplete);
  CHECK(store.run(workers[1].run)->status == RunStatus::kFailed);
  CHECK(*store.run(workers[1].run)->exit_code == 3);
  CHECK(training_env({}, 2).at("OPENBLAS_NUM_THREADS") == "1");
}

TEST_CASE("training env: CUBLAS_WORKSPACE_CONFIG is set for the program unless the user set it", "[replay]") {
  const EnvLookup none = [](const char*) -> std::optional<std::string> { return std::nullopt; };
  const EnvLookup user = [](const char* name) -> std::optional<std::string> {
    if (std::string(name) == "CUBLAS_WORKSPACE_CONFIG") return std::string(":16:8");
    return std::nullopt;
  };
  CHECK(training_env({}, 2, none).at("CUBLAS_WORKSPACE_CONFIG") == ":4096:8");
  // The user's value is in the driver's environment, which the program inherits: not overridden.
  CHECK(training_env({}, 2, user).count("CUBLAS_WORKSPACE_CONFIG") == 0);
}

}  // namespace
}  // namespace flor::replay
