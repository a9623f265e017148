// The runtime's LogWriter (log_writer.h): batches are stored on a thread of
// its own, and a process that dies of a signal right after an epoch's end
// still stores it; while the store refuses, retries back off; and a whole tensor's blob file is written in
// the background (blob_writer.h): the row commits naming it only after the file is whole; a failed background
// write takes the commit's own path (written again there, or the batch held).
#include "torch_catch.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "common/temp_dir.h"
#include "log_buffer.h"
#include "log_writer.h"
#include "store/value.h"
#include "typed_values.h"
#include "util/fault_env.h"

namespace flor::rt {
namespace {

namespace fs = std::filesystem;
using Op = FaultEnv::Op;

// A store whose writes go through a FaultEnv (the writer's too, as in a record), with one run.
struct Record {
  test::TempDir home;
  FaultEnv env;
  std::unique_ptr<store::Store> store = open();
  int64_t run = *store->create_run(store::Run{});

  std::unique_ptr<store::Store> open() {
    auto opened = store::Store::open(home.path, "blobs", store::OpenMode::kCreate, &env);
    REQUIRE(opened.ok());
    return std::move(opened).value();
  }
};

// The real system calls, except the store's database writes: each waits
// until `gate_open` (or sleeps `write_delay` first).
struct SlowDbEnv : Env {
  std::atomic<bool> gate_open{true};
  std::atomic<int> waiting{0};  // writes waiting for `gate_open`
  std::chrono::milliseconds write_delay{0};

  int open(const std::string& path, int flags, mode_t mode) override {
    return Env::posix()->open(path, flags, mode);
  }
  ssize_t writev(int fd, const iovec* iov, int count) override {
    return Env::posix()->writev(fd, iov, count);
  }
  int fsync(int fd) override { return Env::posix()->fsync(fd); }
  int close(int fd) override { return Env::posix()->close(fd); }
  int rename(const std::string& from, const std::string& to) override {
    return Env::posix()->rename(from, to);
  }
  int unlink(const std::string& path) override { return Env::posix()->unlink(path); }
  int mkdir(const std::string& path, mode_t mode) override { return Env::posix()->mkdir(path, mode); }
  int64_t now_ns() override { return Env::posix()->now_ns(); }
  int db_call(DbCall call, const std::function<int()>& io) override {
    if (call == DbCall::kWrite) {
      ++waiting;
      while (!gate_open) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      --waiting;
      std::this_thread::sleep_for(write_delay);
    }
    return Env::posix()->db_call(call, io);
  }
};

std::unique_ptr<store::Store> open_store(const std::string& home, Env* env) {
  auto opened = store::Store::open(home, "bg", store::OpenMode::kCreate, env);
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

// Ends epoch `epoch` of `run` with one log row.
void end_epoch(LogWriter& writer, LogBuffer& logs, int64_t run, int64_t epoch) {
  store::LogRow& r = logs.add("loss", "0.5", "double", "train.cc", 9);
  r.run = run;
  r.epoch = epoch;
  store::EpochRow row;
  row.run = run;
  row.epoch = epoch;
  writer.commit(row, logs);
}

TEST_CASE("log writer: a batch is stored in the background; the next waits for it", "[runtime][store]") {
  test::TempDir home;
  SlowDbEnv env;
  auto store = open_store(home.path, &env);
  const int64_t run = *store->create_run(store::Run{});
  LogWriter writer(store.get(), 64 << 20, &env);
  LogBuffer logs;
  env.gate_open = false;
  end_epoch(writer, logs, run, 0);  // returns while its write waits
  while (env.waiting == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK(logs.size() == 0);
  env.gate_open = true;
  end_epoch(writer, logs, run, 1);  // after epoch 0's, in order
  writer.settle();
  auto epochs = store->epochs(run);
  REQUIRE(epochs.ok());
  REQUIRE(epochs->size() == 2);
  CHECK(epochs->at(0).epoch == 0);
  CHECK(epochs->at(1).epoch == 1);
  CHECK(store->logs(run)->size() == 2);
  CHECK_FALSE(writer.finish().has_value());
}

// A child process ends epoch 0 (each of its database writes 50 ms slow) and aborts at
// once, its SIGABRT at the default action when the writer starts or (the
// negative control) set back to it afterwards. Returns the epochs stored.
size_t epochs_after_abort(bool handler_left) {
  test::TempDir home;
  const int64_t run = *open_store(home.path, Env::posix())->create_run(store::Run{});
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    signal(SIGABRT, SIG_DFL);  // Catch2's handler, inherited
    SlowDbEnv env;
    env.write_delay = std::chrono::milliseconds(50);
    auto store = store::Store::open(home.path, "bg", store::OpenMode::kExisting, &env);
    if (!store.ok()) _exit(3);
    LogWriter writer(store->get(), 64 << 20, &env);
    LogBuffer logs;
    end_epoch(writer, logs, run, 0);
    if (!handler_left) signal(SIGABRT, SIG_DFL);
    abort();
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
  auto epochs = open_store(home.path, Env::posix())->epochs(run);
  REQUIRE(epochs.ok());
  return epochs->size();
}

TEST_CASE("log writer: a process that aborts right after an epoch's end still stores it",
          "[runtime][store]") {
  CHECK(epochs_after_abort(/*handler_left=*/true) == 1);
  CHECK(epochs_after_abort(/*handler_left=*/false) == 0);  // without the wait the batch in flight is lost
}

TEST_CASE("log writer: while the store refuses, retries at epoch ends back off from 1 s to a minute",
          "[runtime][store]") {
  Record rec;
  double now = 0;
  LogWriter writer(rec.store.get(), 64 << 20, &rec.env, [&] { return now; });
  LogBuffer logs;
  int64_t epoch = 0;
  // Ends an epoch at `t` (one log row) with the store refusing; true when the store was tried.
  auto end_epoch_refused = [&](double t) {
    now = t;
    logs.add("loss", "0.5", "double", "train.cc", 9).run = rec.run;
    rec.env.fail(Op::kDbWrite, 1, ENOSPC);
    const int fired = rec.env.fired();
    store::EpochRow row;
    row.run = rec.run;
    row.epoch = epoch++;
    writer.commit(row, logs);
    writer.settle();  // stored in the background
    rec.env.disarm();
    return rec.env.fired() > fired;
  };
  CHECK(end_epoch_refused(0));  // refused: held, next try at 1 s
  CHECK_FALSE(end_epoch_refused(0.5));
  CHECK(end_epoch_refused(1));  // then 2 s later
  CHECK_FALSE(end_epoch_refused(2.9));
  CHECK(end_epoch_refused(3));  // then 4 s
  double t = 3;
  for (double delay : {4.0, 8.0, 16.0, 32.0, 60.0, 60.0}) {
    CHECK_FALSE(end_epoch_refused(t + delay - 0.1));
    t += delay;
    CHECK(end_epoch_refused(t));
  }
  // The store takes writes again: everything held lands, in order, at the next try.
  now = t + 60;
  logs.add("loss", "0.25", "double", "train.cc", 9).run = rec.run;
  store::EpochRow last;
  last.run = rec.run;
  last.epoch = epoch;
  writer.commit(last, logs);
  writer.settle();
  auto stored = rec.store->epochs(rec.run);
  REQUIRE(stored.ok());
  CHECK(static_cast<int64_t>(stored->size()) == epoch + 1);
  // A new refusal starts again at 1 s.
  ++epoch;
  CHECK(end_epoch_refused(now));
  CHECK_FALSE(end_epoch_refused(now + 0.9));
  // The run's end tries once more, whatever the backoff says.
  CHECK_FALSE(writer.finish().has_value());
  stored = rec.store->epochs(rec.run);
  REQUIRE(stored.ok());
  CHECK(static_cast<int64_t>(stored->size()) == epoch);
}

// The same, and a writer with its buffer, on the steady clock.
struct Writing : Record {
  LogWriter writer{store.get(), 64 << 20, &env};
  LogBuffer logs;
};

// One pending whole-tensor row (40000 bytes, no key yet), its file started.
store::LogRow& log_big(LogBuffer& logs, LogWriter& writer, int64_t run, char fill) {
  std::string data(40000, fill);
  store::LogRow& row =
      logs.add("w", "float[10000]", store::kTypeTensor, "train.cc", 7, &data, /*hash_later=*/true);
  row.run = row.source = run;
  row.epoch = 0;
  CHECK(row.blob.empty());
  REQUIRE(LogBuffer::needs_file(row));
  writer.write_ahead(logs.size() - 1, row);
  return row;
}

TEST_CASE("blob writer: the file is written ahead, hashed there, and whole before its row commits",
          "[runtime][store]") {
  Writing w;
  const std::string want(40000, 'a');
  log_big(w.logs, w.writer, w.run, 'a');
  w.writer.commit(std::nullopt, w.logs);
  w.writer.settle();
  auto rows = w.store->logs(w.run);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK(rows->at(0).blob == blob_key(want));  // the key the training thread used to make
  CHECK(w.env.calls(Op::kFsync) == 1);
  CHECK(w.env.calls(Op::kDirFsync) == 2);  // ckpt/ for the new values/, then values/ at the commit
  // A power cut after the commit loses nothing the row names.
  w.env.crash();
  CHECK(store::read_payload(w.store->dir(), rows->at(0)).value() == want);
}

TEST_CASE("blob writer: a failed background write is written again at the commit, or the batch is held",
          "[runtime][store]") {
  Writing w;
  // The background write fails once: the commit writes the file itself.
  w.env.fail(Op::kWrite, 1);
  log_big(w.logs, w.writer, w.run, 'b');
  w.writer.commit(std::nullopt, w.logs);
  w.writer.settle();
  CHECK(w.env.calls(Op::kWrite) == 2);
  auto rows = w.store->logs(w.run);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK(store::read_payload(w.store->dir(), rows->at(0)).value() == std::string(40000, 'b'));

  // Every write fails (the disk is gone): no row names the file, as without
  // the background writer; the batch is held and lost at the end.
  w.env.crash_at(Op::kWrite, 1);
  log_big(w.logs, w.writer, w.run, 'c');
  w.writer.commit(std::nullopt, w.logs);
  w.writer.settle();
  rows = w.store->logs(w.run);
  REQUIRE(rows.ok());
  CHECK(rows->size() == 1);
  CHECK_FALSE(fs::exists(store::blob_path(w.store->dir(), blob_key(std::string(40000, 'c')))));
  auto loss = w.writer.finish();
  REQUIRE(loss.has_value());
  CHECK(loss->logs == 1);
}

}  // namespace
}  // namespace flor::rt
