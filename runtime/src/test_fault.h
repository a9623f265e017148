// Test-only: one deterministic fault in a training process, for the
// training-level fault tests (test/e2e/runtime_fault_*.sh). Unset, as
// everywhere outside those tests, it does nothing and costs one getenv.
//
//   FLOR_TEST_FAULT=N:OP:NTH:ERRNO
//
// In this process's Nth checkpoint (1-based, in the order they are written;
// `all`: in every one), the NTH call of OP fails with ERRNO (EIO, ENOSPC, or a
// number); every other call runs as usual. OP is one of the checkpoint writer's calls, counted
// from the start of the checkpoint's background write: `write`, `fsync`,
// `dirfsync`, `rename` (docs/checkpoint-format.md, "Crash safety", lists them
// in order); or `dbwrite`, a write of the store's database, counted from the
// moment the Nth checkpoint's row is stored (store/env_vfs.h). Each time the
// fault fires the process says so on stderr ("flor: test fault fired: ..."),
// the tests' negative control. A malformed value aborts with a message.
//
// The checkpoint engine and the record's store take their Env from here
// (a FaultEnv, util/fault_env.h) when it is set.
#pragma once

#include <functional>

#include "util/env.h"

namespace flor::rt {

inline constexpr const char* kEnvTestFault = "FLOR_TEST_FAULT";

class TestFault {
 public:
  // The process's fault, made at the first call; nullptr when
  // FLOR_TEST_FAULT is unset. Never destroyed. Thread-safe.
  static TestFault* get();
  virtual ~TestFault() = default;

  virtual Env* env() = 0;
  enum class Stage { kWrite, kRow };  // a checkpoint's background write; the store of its row
  // Runs `stage_fn` (a checkpoint's `stage`), the fault armed when it is the one named.
  virtual void run(Stage stage, const std::function<void()>& stage_fn) = 0;
};

// Runs `stage_fn` through the process's fault, if it has one.
inline void run_stage(TestFault::Stage stage, const std::function<void()>& stage_fn) {
  if (TestFault* f = TestFault::get()) {
    f->run(stage, stage_fn);
  } else {
    stage_fn();
  }
}

// The Env for the record's files: FLOR_TEST_FAULT's, else `otherwise`.
inline Env* env_or(Env* otherwise) {
  TestFault* f = TestFault::get();
  return f ? f->env() : otherwise;
}

}  // namespace flor::rt
