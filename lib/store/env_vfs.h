// The store's files through the Env seam (util/env.h): a SQLite VFS that
// wraps the default one ("unix") and routes every write and sync of the
// database and its WAL through Env::db_call, and SQLite's clock through
// Env::now_ns. Fault tests give the store a FaultEnv
// (util/fault_env.h) and fail exactly the write that stores a row.
//
// Why a wrapper and not a VFS of its own over Env::open/writev/fsync: the
// default VFS owns SQLite's locking (POSIX locks per inode, which any close of
// another descriptor on the same file would drop), the shared-memory WAL
// index and its recovery; rewriting those would put a second implementation
// of SQLite's trickiest code under the store. The wrapper changes nothing
// about them: each write or sync still happens on SQLite's own descriptor,
// made by the default VFS, and the Env decides whether it runs or fails in
// its place (ENOSPC reads as SQLITE_FULL, any other errno as an I/O error,
// just as the default VFS reports a full or failing disk). Opens, reads,
// deletes and locks are not routed: no fault test needs them, and routing
// them through the Env would only count them. The WAL index is shared
// memory (mmap), not written through the VFS.
//
// Only for a Db opened with an Env (store/sqlite.h); without one the store uses
// the default VFS untouched.
#pragma once

#include <sqlite3.h>

#include <string>

#include "util/env.h"

namespace flor::store {

// Registers a VFS named "flor-env-<address of this object>" over the default
// one, its calls going through `env`, which outlives it. Unregistered when
// destroyed: every connection that uses it must be closed first. Thread-safe
// as the default VFS is (the Env must be thread-safe too).
class EnvVfs {
 public:
  explicit EnvVfs(Env* env);
  ~EnvVfs();
  EnvVfs(const EnvVfs&) = delete;
  EnvVfs& operator=(const EnvVfs&) = delete;

  // For sqlite3_open_v2's zVfs.
  const char* name() const { return name_.c_str(); }
  Env* env() const { return env_; }
  sqlite3_vfs* base() const { return base_; }  // the default VFS

 private:
  Env* env_;
  sqlite3_vfs* base_;
  sqlite3_vfs vfs_{};
  std::string name_;
};

}  // namespace flor::store
