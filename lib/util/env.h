// The operating system, as far as durable files need it: the seam fault tests
// use (LevelDB's Env is the model). Every method has the shape of the system
// call it stands for (a return value of -1 sets errno), so callers keep their
// EINTR and O_DIRECT handling. The default, Env::posix(), makes those calls;
// a test passes an Env that fails a chosen call or forgets unsynced bytes
// (util/fault_env.h). No product code.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstdint>
#include <functional>
#include <string>

namespace flor {

class Env {
 public:
  virtual ~Env() = default;
  // The process's POSIX Env: stateless, thread-safe, never destroyed.
  static Env* posix();

  virtual int open(const std::string& path, int flags, mode_t mode) = 0;
  virtual ssize_t writev(int fd, const iovec* iov, int count) = 0;
  virtual int fsync(int fd) = 0;  // of a file or of a directory opened with O_DIRECTORY
  virtual int close(int fd) = 0;
  virtual int rename(const std::string& from, const std::string& to) = 0;
  virtual int unlink(const std::string& path) = 0;
  virtual int mkdir(const std::string& path, mode_t mode) = 0;
  // Wall-clock time in nanoseconds since the epoch.
  virtual int64_t now_ns() = 0;

  // A write or an fsync that a database engine makes on a descriptor it keeps
  // to itself (SQLite's VFS owns the store's descriptors and the POSIX locks on
  // them, so the call cannot be made here: lib/store/env_vfs.h). `io` makes
  // the call and returns 0, or -1 with errno set; the Env runs it and returns
  // its result, or fails in its place (-1 with errno set, `io` not run).
  enum class DbCall { kWrite, kSync };
  virtual int db_call(DbCall call, const std::function<int()>& io) = 0;
};

}  // namespace flor
