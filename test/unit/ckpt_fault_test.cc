// Deterministic fault tests of the checkpoint writer and of gc's compaction
// (lib/ckpt), through a FaultEnv (lib/util/fault_env.h): each test fails or
// "crashes" exactly one chosen system call, then checks that no torn
// checkpoint is ever listed as whole, that the last whole checkpoint restores,
// and that writing goes on. Each checks its own negative control: the fault
// fired, and the checkpoint it hit is absent.
#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <string>
#include <vector>

#include "ckpt/gc.h"
#include "common/temp_dir.h"
#include "unit/ckpt_bytes.h"
#include "util/fault_env.h"

namespace flor {
namespace {

namespace fs = std::filesystem;
using ckpt::CheckpointWriter;
using flor::FaultEnv;
using test::Floats;
using test::FloatState;
using test::read_floats;
using test::TempDir;
using test::two_tensor_state;
using test::verify_floats;
using test::write_floats;
using Op = FaultEnv::Op;

constexpr size_t kElems = 64 * 1024;

// Every checkpoint in `dir` is whole, and none is left half-written.
void check_only_whole_checkpoints(const std::string& dir) {
  auto names = ckpt::list_checkpoints(dir);
  REQUIRE(names.ok());
  for (const auto& name : *names) {
    INFO(name);
    CHECK(verify_floats(dir, name).ok());
  }
}

Floats w_of(const std::string& dir, const std::string& name) {
  auto values = read_floats(dir, name);
  REQUIRE(values.ok());
  return values->at("w");
}

bool has_temp_files(const std::string& dir) {
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (is_temp_file_name(e.path().filename().string())) return true;
  }
  return false;
}

// The system calls of a checkpoint's write after the first (a new pack for
// "w", "frozen" referenced in the first pack), in the order the writer makes
// them (docs/checkpoint-format.md, "Crash safety").
struct WriteStep {
  const char* name;
  Op op;
  int nth;  // the nth call of op within the write
  int err;
  bool short_write;
  bool published;  // the checkpoint is under its final name when this call fails
};
const WriteStep kWriteSteps[] = {
    {"pack data (I/O error)", Op::kWrite, 1, EIO, false, false},
    {"pack data (disk full)", Op::kWrite, 1, ENOSPC, false, false},
    {"pack data (a short write, then disk full)", Op::kWrite, 1, ENOSPC, true, false},
    {"pack fsync", Op::kFsync, 1, EIO, false, false},
    {"pack rename", Op::kRename, 1, EIO, false, false},
    {"manifest data", Op::kWrite, 2, ENOSPC, false, false},
    {"manifest fsync", Op::kFsync, 2, EIO, false, false},
    {"packs/ directory fsync", Op::kDirFsync, 1, EIO, false, false},
    {"manifest rename", Op::kRename, 2, EIO, false, false},
    {"directory fsync", Op::kDirFsync, 2, EIO, false, true},
};

TEST_CASE(
    "ckpt: a failure at each step of a checkpoint write is reported, no torn checkpoint, writing goes on",
    "[ckpt][fault]") {
  for (const WriteStep& step : kWriteSteps) {
    DYNAMIC_SECTION(step.name) {
      TempDir dir;
      FaultEnv env;
      CheckpointWriter writer(dir.path, &env);
      REQUIRE(write_floats(writer, two_tensor_state(kElems, 1), "c1.ckpt").ok());

      env.fail(step.op, step.nth, step.err, step.short_write);
      auto failed = write_floats(writer, two_tensor_state(kElems, 2), "c2.ckpt");
      CHECK(env.fired() == 1);  // the fault happened, exactly there
      REQUIRE_FALSE(failed.ok());
      CHECK(failed.status().code() == Code::kIo);
      CHECK(failed.status().message().find(std::strerror(step.err)) != std::string::npos);
      CHECK(fs::exists(dir / "c2.ckpt") == step.published);
      CHECK_FALSE(has_temp_files(dir.path));
      check_only_whole_checkpoints(dir.path);
      CHECK(w_of(dir.path, "c1.ckpt") == Floats(kElems, 1));

      // The same bytes again: the failed write's pack is never leaned on.
      REQUIRE(write_floats(writer, two_tensor_state(kElems, 2), "c3.ckpt").ok());
      CHECK(w_of(dir.path, "c3.ckpt") == Floats(kElems, 2));
      check_only_whole_checkpoints(dir.path);
    }
  }
}

// How many system calls `run` makes through a FaultEnv on a fresh setup.
template <typename Setup, typename Run>
int count_calls(Setup setup, Run run) {
  TempDir dir;
  FaultEnv env;
  setup(dir.path, env);
  const int before = env.total_calls();
  REQUIRE(run(dir.path, env).ok());
  return env.total_calls() - before;
}

TEST_CASE("ckpt: a crash at any call of a checkpoint write leaves the last whole checkpoint",
          "[ckpt][fault]") {
  // One writer (one process) per setup; the crash kills it.
  std::unique_ptr<CheckpointWriter> writer;
  const auto setup = [&](const std::string& dir, FaultEnv& env) {
    writer = std::make_unique<CheckpointWriter>(dir, &env);
    REQUIRE(write_floats(*writer, two_tensor_state(kElems, 1), "c1.ckpt").ok());
  };
  const auto second = [&](const std::string&, FaultEnv&) {
    return write_floats(*writer, two_tensor_state(kElems, 2), "c2.ckpt").status();
  };
  const int calls = count_calls(setup, second);
  REQUIRE(calls >= 10);  // open, write, fsync, close-rename of pack and manifest, two folder fsyncs

  // k = calls + 1: the crash comes after the write returned: c2 survives.
  for (int k = 1; k <= calls + 1; ++k) {
    DYNAMIC_SECTION("crash at call " << k << " of " << calls) {
      TempDir dir;
      FaultEnv env;
      setup(dir.path, env);
      env.crash_at_call(k);
      const Status st = second(dir.path, env);
      const bool crashed = k <= calls;
      CHECK(env.fired() == (crashed ? 1 : 0));
      CHECK(st.ok() == !crashed);
      writer.reset();
      const bool renamed = fs::exists(dir / "c2.ckpt");
      const int dropped = env.crash();
      if (crashed && renamed) CHECK(dropped > 0);  // renamed, not yet durable: the crash undoes it
      CHECK(fs::exists(dir / "c2.ckpt") == !crashed);
      check_only_whole_checkpoints(dir.path);
      CHECK(w_of(dir.path, "c1.ckpt") == Floats(kElems, 1));
      if (!crashed) CHECK(w_of(dir.path, "c2.ckpt") == Floats(kElems, 2));

      // A new process records again (leaning on c1's blobs), and gc clears the debris.
      CheckpointWriter next(dir.path);
      REQUIRE(write_floats(next, two_tensor_state(kElems, 2), "c3.ckpt").ok());
      REQUIRE(ckpt::collect_garbage(dir.path, {"c1.ckpt", "c3.ckpt"}).ok());
      CHECK_FALSE(has_temp_files(dir.path));
      check_only_whole_checkpoints(dir.path);
      CHECK(w_of(dir.path, "c1.ckpt") == Floats(kElems, 1));
      CHECK(w_of(dir.path, "c3.ckpt") == Floats(kElems, 2));
    }
  }
}

TEST_CASE("ckpt: a crash at any call of gc's compaction loses nothing live", "[ckpt][gc][fault]") {
  const auto state = [](float a, float b, float c) {
    return FloatState{{"a", Floats(kElems, a)}, {"b", Floats(kElems, b)}, {"c", Floats(kElems, c)}};
  };
  // c1's pack is two-thirds dead once c1 goes: gc deletes c1, copies "c" into
  // a new pack, points c2 at it, deletes the old pack.
  const auto setup = [&](const std::string& dir, FaultEnv&) {
    CheckpointWriter writer(dir);
    REQUIRE(write_floats(writer, state(1, 2, 3), "c1.ckpt").ok());
    REQUIRE(write_floats(writer, state(4, 5, 3), "c2.ckpt").ok());
  };
  const auto gc = [](const std::string& dir, FaultEnv& env) {
    return ckpt::collect_garbage(dir, {"c2.ckpt"}, /*dry_run=*/false, &env).status();
  };
  const int calls = count_calls(setup, gc);
  REQUIRE(calls >= 10);

  for (int k = 1; k <= calls; ++k) {
    DYNAMIC_SECTION("crash at call " << k << " of " << calls) {
      TempDir dir;
      FaultEnv env;
      setup(dir.path, env);
      auto c1 = ckpt::read_manifest(dir / "c1.ckpt");
      REQUIRE(c1.ok());
      const std::string c1_pack = ckpt::pack_path(dir.path, c1->entries[0].blob.pack_id);
      env.crash_at_call(k);
      CHECK_FALSE(gc(dir.path, env).ok());
      CHECK(env.fired() == 1);
      env.crash();
      CHECK(fs::exists(c1_pack));  // the old pack goes last: the crash came before

      // Nothing live is lost; a later gc finishes the job.
      const FloatState expect = state(4, 5, 3);
      auto values = read_floats(dir.path, "c2.ckpt");
      REQUIRE(values.ok());
      for (const auto& [key, v] : expect) CHECK(values->at(key) == v);
      REQUIRE(ckpt::collect_garbage(dir.path, {"c2.ckpt"}).ok());
      CHECK_FALSE(fs::exists(c1_pack));
      CHECK_FALSE(has_temp_files(dir.path));
      CHECK(std::distance(fs::directory_iterator(dir / "packs"), fs::directory_iterator()) == 2);
      values = read_floats(dir.path, "c2.ckpt");
      REQUIRE(values.ok());
      for (const auto& [key, v] : expect) CHECK(values->at(key) == v);
    }
  }
}

}  // namespace
}  // namespace flor
