#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/temp_dir.h"
#include "store/store.h"

namespace flor::store {
namespace {

namespace fs = std::filesystem;

using test::TempDir;

std::unique_ptr<Store> open_ok(const std::string& home, const std::string& name) {
  auto s = Store::open(home, name);
  REQUIRE(s.ok());
  return std::move(s).value();
}

TEST_CASE("store: runs are created running and finished explicitly", "[store]") {
  TempDir home;
  auto store = open_ok(home.path, "mnist");
  CHECK(store->dir() == home.path + "/mnist");
  CHECK(fs::exists(home.path + "/mnist/flor.db"));
  CHECK(fs::is_directory(home.path + "/mnist/ckpt"));

  Run run;
  run.name = "mnist";
  run.command = {"./train", "--epochs", "3"};
  auto id = store->create_run(run);
  REQUIRE(id.ok());
  auto got = store->run(*id);
  REQUIRE(got.ok());
  CHECK(got->status == RunStatus::kRunning);
  CHECK(got->command == run.command);
  CHECK(got->started > 0);
  CHECK_FALSE(got->ended.has_value());

  REQUIRE(store->finish_run(*id, RunStatus::kComplete, 0).ok());
  got = store->run(*id);
  CHECK(got->status == RunStatus::kComplete);
  CHECK(got->exit_code == 0);
  CHECK(got->ended.has_value());

  Run replay;
  replay.name = "mnist";
  replay.kind = RunKind::kReplay;
  replay.parent = *id;
  auto rid = store->create_run(replay);
  REQUIRE(rid.ok());
  auto all = store->runs();
  REQUIRE(all->size() == 2);
  CHECK(all->front().id == *rid);  // newest first
  CHECK(all->front().parent == *id);
  CHECK(store->latest_record()->id == *id);
  CHECK(store->run(999).status().code() == Code::kNotFound);
}

TEST_CASE("store: logs, args, checkpoints, epochs, divergences and blobs round-trip", "[store]") {
  TempDir home;
  auto store = open_ok(home.path, "exp");
  int64_t id = *store->create_run(Run{});
  REQUIRE(store->put_args(id, {{"lr", "0.01"}, {"epochs", "5"}}).ok());
  CHECK(store->args(id)->at("lr") == "0.01");

  std::vector<LogRow> rows;
  for (int e = 0; e < 3; ++e) rows.push_back(LogRow{id, id, e, -1, "acc", std::to_string(e), "int", "t.cc:3"});
  EpochRow epoch;
  epoch.run = id;
  epoch.epoch = 2;
  epoch.rng = std::string("\0\1\2binary", 9);
  epoch.note = "checkpoint: within budget";
  epoch.iters = 64;  // a step loop's period: epochs 2-65
  REQUIRE(store->commit_epoch(epoch, rows).ok());
  auto logs = store->logs(id);
  REQUIRE(logs->size() == 3);
  CHECK(logs->at(2).value == "2");
  CHECK(logs->at(2).loc == "t.cc:3");
  auto epochs = store->epochs(id);
  REQUIRE(epochs->size() == 1);
  CHECK(epochs->at(0).rng == epoch.rng);
  CHECK(epochs->at(0).note == epoch.note);
  CHECK(epochs->at(0).iters == 64);

  // More rows than one insert statement takes (and not a multiple): order and fields kept.
  std::vector<LogRow> many;
  for (int i = 0; i < 150; ++i) {
    many.push_back(LogRow{id, id, 3, i, "loss", std::to_string(i * 7), "double", "t.cc:" + std::to_string(i % 5),
                          i % 3 == 0});
  }
  REQUIRE(store->commit_epoch(std::nullopt, many).ok());
  auto all_logs = store->logs(id);
  REQUIRE(all_logs->size() == 3 + many.size());
  for (size_t i = 0; i < many.size(); ++i) {
    const LogRow& got = all_logs->at(3 + i);
    CHECK(got.step == many[i].step);
    CHECK(got.value == many[i].value);
    CHECK(got.loc == many[i].loc);
    CHECK(got.hindsight == many[i].hindsight);
  }

  CheckpointRow c;
  c.run = id;
  c.epoch = 1;
  c.path = "ckpt/a.ckpt";
  c.reason = "budget";
  REQUIRE(store->add_checkpoint(c).ok());
  c.epoch = 0;
  REQUIRE(store->add_checkpoint(c).ok());
  auto cks = store->checkpoints(id);
  REQUIRE(cks->size() == 2);
  CHECK(cks->at(0).epoch == 0);  // ordered by epoch
  REQUIRE(store->remove_checkpoints(id).ok());
  CHECK(store->checkpoints(id)->empty());

  REQUIRE(store->add_divergence(Divergence{id, 1, 2, "loss", "0.5", "0.25", "t.cc:9"}).ok());
  CHECK(store->divergences(id)->at(0).replayed == "0.25");

  REQUIRE(store->put_blob(id, "rng/start", std::string(5056, '\7')).ok());
  CHECK(store->blob(id, "rng/start")->size() == 5056);
  CHECK(store->blob(id, "nope").status().code() == Code::kNotFound);
}

TEST_CASE("store: a version 1 store gains epochs.iters (1 for its rows)", "[store]") {
  TempDir home;
  {
    auto store = open_ok(home.path, "old");
    int64_t id = *store->create_run(Run{});
    EpochRow row;
    row.run = id;
    row.epoch = 0;
    REQUIRE(store->commit_epoch(row, {}).ok());
  }
  // Turn it into what flor wrote before version 2: no iters column.
  const std::string db = home.path + "/old/flor.db";
  const std::string sql =
      "sqlite3 '" + db + "' \"CREATE TABLE e2 AS SELECT run, epoch, seconds, ended, blocks, skipped, executed, "
      "divergences, rng, note FROM epochs; DROP TABLE epochs; ALTER TABLE e2 RENAME TO epochs; "
      "UPDATE meta SET value='1' WHERE key='schema_version';\"";
  if (std::system(("command -v sqlite3 >/dev/null && " + sql).c_str()) != 0) return;  // no sqlite3 shell
  auto store = open_ok(home.path, "old");
  auto epochs = store->epochs(1);
  REQUIRE(epochs.ok());
  REQUIRE(epochs->size() == 1);
  CHECK(epochs->at(0).iters == 1);
}

TEST_CASE("store: names are checked and experiments listed", "[store]") {
  TempDir home;
  for (const char* bad : {"", ".", "..", "a/b", ".hidden", "-x"}) {
    auto s = Store::open(home.path, bad);
    CHECK(s.status().code() == Code::kInvalidArgument);
  }
  open_ok(home.path, "b");
  open_ok(home.path, "a");
  fs::create_directories(home.path + "/not-an-experiment");
  auto list = Store::list(home.path);
  REQUIRE(list->size() == 2);
  CHECK(list->at(0).name == "a");
  CHECK(Store::list(home.path + "/missing")->empty());
}

TEST_CASE("store: several processes write one experiment at once", "[store]") {
  TempDir home;
  { open_ok(home.path, "par"); }
  constexpr int kProcs = 4, kBatches = 20;
  std::vector<pid_t> kids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = fork();
    if (pid == 0) {
      auto s = Store::open(home.path, "par");
      if (!s.ok()) _exit(2);
      auto id = (*s)->create_run(Run{});
      if (!id.ok()) _exit(3);
      for (int b = 0; b < kBatches; ++b) {
        std::vector<LogRow> rows(10, LogRow{*id, *id, b, -1, "x", "1", "int", ""});
        if (!(*s)->commit_epoch(EpochRow{*id, b}, rows).ok()) _exit(4);
      }
      _exit(0);
    }
    kids.push_back(pid);
  }
  for (pid_t pid : kids) {
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  auto store = open_ok(home.path, "par");
  auto runs = store->runs();
  REQUIRE(runs->size() == kProcs);
  for (const Run& r : *runs) {
    CHECK(store->logs(r.id)->size() == 10 * kBatches);
    CHECK(store->epochs(r.id)->size() == kBatches);
  }
}

}  // namespace
}  // namespace flor::store
