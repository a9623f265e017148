#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/store_ok.h"
#include "common/temp_dir.h"
#include "store/pg.h"
#include "store/store.h"

namespace flor::store {
namespace {

namespace fs = std::filesystem;

using test::TempDir;

using test::open_ok;

// The backend this test runs on (test/common/store_backend.h): PostgreSQL when FLOR_STORE is set.
bool postgres() { return std::getenv("FLOR_STORE") != nullptr; }

TEST_CASE("store: runs are created running and finished explicitly", "[store]") {
  TempDir home;
  auto store = open_ok(home.path, "mnist");
  CHECK(store->dir() == home.path + "/mnist");
  if (!postgres()) CHECK(fs::exists(home.path + "/mnist/flor.db"));
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
  CHECK(cks->at(0).location == CheckpointRow::kLocal);
  REQUIRE(store->set_checkpoint_location(id, 1, 0, CheckpointRow::kRemote).ok());
  CHECK(store->checkpoints(id)->at(1).location == CheckpointRow::kRemote);
  CHECK(store->set_checkpoint_location(id, 7, 0, CheckpointRow::kRemote).code() == Code::kNotFound);
  REQUIRE(store->remove_checkpoints(id).ok());
  CHECK(store->checkpoints(id)->empty());

  REQUIRE(store->add_divergence(Divergence{id, 1, 2, "loss", "0.5", "0.25", "t.cc:9"}).ok());
  CHECK(store->divergences(id)->at(0).replayed == "0.25");

  REQUIRE(store->put_blob(id, "rng/start", std::string(5056, '\7')).ok());
  CHECK(store->blob(id, "rng/start")->size() == 5056);
  CHECK(store->blob(id, "nope").status().code() == Code::kNotFound);
}

TEST_CASE("store: a version 1 store gains epochs.iters (1 for its rows), a store id and run processes",
          "[store][sqlite]") {
  TempDir home;
  {
    auto store = open_ok(home.path, "old");
    int64_t id = *store->create_run(Run{});
    EpochRow row;
    row.run = id;
    row.epoch = 0;
    REQUIRE(store->commit_epoch(row, {}).ok());
  }
  // Turn it into what flor wrote before version 2: no iters column (nor version 3's run process and store id).
  const std::string db = home.path + "/old/flor.db";
  const std::string sql =
      "sqlite3 '" + db + "' \"CREATE TABLE e2 AS SELECT run, epoch, seconds, ended, blocks, skipped, executed, "
      "divergences, rng, note FROM epochs; DROP TABLE epochs; ALTER TABLE e2 RENAME TO epochs; "
      "ALTER TABLE runs DROP COLUMN host; ALTER TABLE runs DROP COLUMN pid; ALTER TABLE runs DROP COLUMN pid_start; "
      "ALTER TABLE logs DROP COLUMN data; ALTER TABLE logs DROP COLUMN blob; "
      "ALTER TABLE checkpoints DROP COLUMN location; "
      "DELETE FROM meta WHERE key='store_id'; UPDATE meta SET value='1' WHERE key='schema_version';\"";
  if (std::system(("command -v sqlite3 >/dev/null && " + sql).c_str()) != 0) return;  // no sqlite3 shell
  auto store = open_ok(home.path, "old");
  auto epochs = store->epochs(1);
  REQUIRE(epochs.ok());
  REQUIRE(epochs->size() == 1);
  CHECK(epochs->at(0).iters == 1);
  // ... and, through version 2, a store id and the runs' process columns (none for old runs).
  CHECK(store->id().size() == 8);
  CHECK_FALSE(store->run(1)->process.has_value());
  CHECK(store->run(*store->create_run(Run{}))->process->pid == getpid());
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
  CHECK(list->at(0).dir == home.path + "/a");
  if (!postgres()) CHECK(Store::list(home.path + "/missing")->empty());  // PostgreSQL: the database's experiments
}

// `procs` processes open experiment `name` at once (with `mode`), each creates
// a run and commits `epochs` epochs of `rows` logs (values 0 .. rows-1); each
// must exit 0.
void write_in_processes(const std::string& home, const std::string& name, int procs, int epochs, int rows,
                        OpenMode mode) {
  std::vector<pid_t> kids;
  for (int p = 0; p < procs; ++p) {
    pid_t pid = fork();
    if (pid == 0) {
      auto s = Store::open(home, name, mode);
      if (!s.ok()) _exit(2);
      auto id = (*s)->create_run(Run{});
      if (!id.ok()) _exit(3);
      for (int e = 0; e < epochs; ++e) {
        std::vector<LogRow> batch;
        for (int i = 0; i < rows; ++i) batch.push_back(LogRow{*id, *id, e, i, "x", std::to_string(i), "int", ""});
        if (!(*s)->commit_epoch(EpochRow{*id, e}, batch).ok()) _exit(4);
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
}

TEST_CASE("store: several processes write one experiment at once", "[store]") {
  TempDir home;
  { open_ok(home.path, "par"); }
  constexpr int kProcs = 4, kBatches = 20;
  write_in_processes(home.path, "par", kProcs, kBatches, 10, OpenMode::kCreate);
  auto store = open_ok(home.path, "par");
  auto runs = store->runs();
  REQUIRE(runs->size() == kProcs);
  for (const Run& r : *runs) {
    CHECK(store->logs(r.id)->size() == 10 * kBatches);
    CHECK(store->epochs(r.id)->size() == kBatches);
  }
}

// A child that creates a run and exits without finishing it: a killed program.
int64_t run_of_exited_child(const std::string& home) {
  pid_t pid = fork();
  if (pid == 0) {
    auto s = Store::open(home, "dead");
    _exit(s.ok() && (*s)->create_run(Run{}).ok() ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return 1;
}

TEST_CASE("store: a running run whose process is gone reads dead, and is stored dead", "[store]") {
  TempDir home;
  { open_ok(home.path, "dead"); }
  const int64_t gone = run_of_exited_child(home.path);
  auto store = open_ok(home.path, "dead");
  const int64_t mine = *store->create_run(Run{});  // this process: alive
  const RunProcess me = this_process();
  CHECK(store->run(mine)->process->pid == me.pid);
  CHECK(store->run(mine)->process->start == me.start);
  CHECK(me.start > 0);

  CHECK(store->run(gone)->status == RunStatus::kDead);
  CHECK(store->run(mine)->status == RunStatus::kRunning);
  // Stored: a second connection reads it without judging the process again.
  CHECK(open_ok(home.path, "dead")->runs()->back().status == RunStatus::kDead);

  // Our pid but another start time: the pid was reused; another host: never judged.
  const int64_t reused = *store->create_run(Run{});
  REQUIRE(store->set_run_process(reused, RunProcess{me.host, me.pid, me.start + 1}).ok());
  CHECK(store->run(reused)->status == RunStatus::kDead);
  const int64_t remote = *store->create_run(Run{});
  REQUIRE(store->set_run_process(remote, RunProcess{me.host + "-elsewhere", 1 << 30, 1}).ok());
  CHECK(store->run(remote)->status == RunStatus::kRunning);
  // A finished run is never marked dead.
  const int64_t done = *store->create_run(Run{});
  REQUIRE(store->set_run_process(done, RunProcess{me.host, me.pid, me.start + 1}).ok());
  REQUIRE(store->finish_run(done, RunStatus::kComplete, 0).ok());
  CHECK(store->run(done)->status == RunStatus::kComplete);
}

TEST_CASE("store: a missing or empty flor.db beside checkpoints is an error, and kExisting creates nothing",
          "[store][sqlite]") {
  TempDir home;
  CHECK(Store::open(home.path, "none", OpenMode::kExisting).status().code() == Code::kNotFound);
  CHECK_FALSE(fs::exists(home.path + "/none"));

  const std::string db = home.path + "/lost/flor.db";
  const std::string first_id = open_ok(home.path, "lost")->id();
  { std::ofstream(home.path + "/lost/ckpt/" + first_id + "-r1-e00000.ckpt") << "manifest"; }
  for (const char* how : {"missing", "empty"}) {
    if (std::string(how) == "missing") {
      fs::remove(db);
    } else {
      std::ofstream truncate(db, std::ios::trunc);
    }
    CAPTURE(how);
    for (OpenMode mode : {OpenMode::kExisting, OpenMode::kCreate}) {
      auto s = Store::open(home.path, "lost", mode);
      CHECK(s.status().code() == Code::kFailedPrecondition);
      CHECK(s.status().message().find(db + " is missing or empty") != std::string::npos);
      CHECK(s.status().message().find("--orphans") != std::string::npos);
    }
    CHECK(Store::store_lost(home.path, "lost"));
    CHECK(fs::exists(db) == (std::string(how) == "empty"));
    if (fs::exists(db)) CHECK(fs::file_size(db) == 0);
  }
  REQUIRE(Store::list(home.path)->size() == 1);  // listed, so ls and gc can say what is wrong

  // Without checkpoint files an empty file is no experiment to read, and a new one to create,
  // with another store id.
  fs::remove_all(home.path + "/lost/ckpt");
  CHECK(Store::open(home.path, "lost", OpenMode::kExisting).status().code() == Code::kNotFound);
  CHECK(fs::file_size(db) == 0);
  const std::string second_id = open_ok(home.path, "lost")->id();
  CHECK(second_id.size() == 8);
  CHECK(second_id != first_id);
}

TEST_CASE("store: a damaged flor.db is an error naming the file and what to do", "[store][sqlite]") {
  TempDir home;
  { open_ok(home.path, "bad"); }
  const std::string db = home.path + "/bad/flor.db";
  fs::remove(db + "-wal");
  fs::remove(db + "-shm");
  { std::ofstream(db, std::ios::trunc) << std::string(8192, 'x'); }
  for (OpenMode mode : {OpenMode::kExisting, OpenMode::kCreate}) {
    auto s = Store::open(home.path, "bad", mode);
    CHECK(s.status().code() == Code::kCorrupt);
    CHECK(s.status().message().find(db + " is damaged") != std::string::npos);
    CHECK(s.status().message().find("mv " + db) != std::string::npos);
  }
  CHECK(fs::file_size(db) == 8192);
}


TEST_CASE("store: 16 processes create runs and commit epochs at once: no lost row, no error", "[store]") {
  TempDir home;
  { open_ok(home.path, "many"); }
  constexpr int kProcs = 16, kEpochs = 10, kRows = 50;
  write_in_processes(home.path, "many", kProcs, kEpochs, kRows, OpenMode::kExisting);
  auto store = open_ok(home.path, "many");
  auto runs = store->runs();
  REQUIRE(runs->size() == kProcs);
  std::vector<int64_t> ids;
  for (const Run& r : *runs) {
    ids.push_back(r.id);
    auto logs = store->logs(r.id);
    REQUIRE(logs->size() == size_t{kEpochs} * kRows);
    CHECK(logs->back().value == std::to_string(kRows - 1));
    CHECK(store->epochs(r.id)->size() == kEpochs);
  }
  std::sort(ids.begin(), ids.end());
  CHECK(ids.front() == 1);  // run ids count from 1 in each experiment, without gaps
  CHECK(ids.back() == kProcs);
}

TEST_CASE("store: experiments keep their own run ids, and kExisting does not create one", "[store]") {
  TempDir home;
  CHECK(Store::open(home.path, "none", OpenMode::kExisting).status().code() == Code::kNotFound);
  auto a = open_ok(home.path, "a");
  auto b = open_ok(home.path, "b");
  CHECK(*a->create_run(Run{}) == 1);
  CHECK(*a->create_run(Run{}) == 2);
  CHECK(*b->create_run(Run{}) == 1);
  CHECK(a->runs()->size() == 2);
  CHECK(b->runs()->size() == 1);
  CHECK(a->id() != b->id());
  CHECK(a->id().size() == 8);
  REQUIRE(a->put_blob(1, "empty", "").ok());
  CHECK(a->blob(1, "empty")->empty());
  CHECK(b->blob(1, "empty").status().code() == Code::kNotFound);
  CHECK(Store::list(home.path)->size() == 2);
}

TEST_CASE("store: a FLOR_STORE that is neither sqlite nor PostgreSQL is an error, without its password",
          "[store][sqlite]") {
  TempDir home;
  ::setenv("FLOR_STORE", "mysql://u:hunter2@db/x", 1);
  auto s = Store::open(home.path, "x");
  ::unsetenv("FLOR_STORE");
  CHECK(s.status().code() == Code::kInvalidArgument);
  CHECK(s.status().message().find("FLOR_STORE") != std::string::npos);
  CHECK(s.status().message().find("hunter2") == std::string::npos);
}

TEST_CASE("store: a store of a newer schema is refused with a message, and left as it is", "[store]") {
  TempDir home;
  { open_ok(home.path, "new"); }
  const std::string newer = std::to_string(kSchemaVersion + 1);
  if (postgres()) {
    auto db = PgConn::connect(std::getenv("FLOR_STORE"));
    REQUIRE(db.ok());
    REQUIRE((*db)->exec("UPDATE flor_meta SET value='" + newer + "' WHERE key='schema_version'").ok());
  } else {
    const std::string sql = "sqlite3 '" + home.path + "/new/flor.db' \"UPDATE meta SET value='" + newer +
                            "' WHERE key='schema_version'\"";
    if (std::system(("command -v sqlite3 >/dev/null && " + sql).c_str()) != 0) return;  // no sqlite3 shell
  }
  for (OpenMode mode : {OpenMode::kExisting, OpenMode::kCreate}) {
    auto s = Store::open(home.path, "new", mode);
    CHECK(s.status().code() == Code::kFailedPrecondition);
    CHECK(s.status().message().find("schema version " + newer + ", newer than this flor") != std::string::npos);
    CHECK(s.status().message().find("upgrade flor") != std::string::npos);
  }
}

TEST_CASE("store: connection strings are shown without their password", "[store]") {
  CHECK(redact_conninfo("postgresql://flor:s3cret@db.lab:5432/flor") == "postgresql://flor:***@db.lab:5432/flor");
  CHECK(redact_conninfo("postgresql://flor@db.lab/flor?password=s3cret&sslmode=require") ==
        "postgresql://flor@db.lab/flor?password=***&sslmode=require");
  CHECK(redact_conninfo("host=db password = 's3 cret' user=flor") == "host=db password = *** user=flor");
  CHECK(redact_conninfo("postgresql://flor@db.lab/flor") == "postgresql://flor@db.lab/flor");
}

TEST_CASE("store: an unreachable PostgreSQL server is an error naming it, without its password", "[store][sqlite]") {
  TempDir home;
  // Port 1 on 127.0.0.1: nothing listens there.
  ::setenv("FLOR_STORE", "postgresql://flor:s3cret@127.0.0.1:1/flor?connect_timeout=2", 1);
  auto s = Store::open(home.path, "x");
  ::unsetenv("FLOR_STORE");
  CHECK(s.status().code() == Code::kIo);
  CHECK(s.status().message().find("127.0.0.1:1") != std::string::npos);
  CHECK(s.status().message().find("s3cret") == std::string::npos);
}

}  // namespace
}  // namespace flor::store
