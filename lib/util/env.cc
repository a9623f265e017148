#include "util/env.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace flor {
namespace {

class PosixEnv final : public Env {
 public:
  int open(const std::string& path, int flags, mode_t mode) override {
    return ::open(path.c_str(), flags, mode);
  }
  ssize_t writev(int fd, const iovec* iov, int count) override { return ::writev(fd, iov, count); }
  int fsync(int fd) override { return ::fsync(fd); }
  int close(int fd) override { return ::close(fd); }
  int rename(const std::string& from, const std::string& to) override {
    return std::rename(from.c_str(), to.c_str());
  }
  int unlink(const std::string& path) override { return ::unlink(path.c_str()); }
  int mkdir(const std::string& path, mode_t mode) override { return ::mkdir(path.c_str(), mode); }
  int64_t now_ns() override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  int db_call(DbCall /*call*/, const std::function<int()>& io) override { return io(); }
};

}  // namespace

Env* Env::posix() {
  static PosixEnv* env = new PosixEnv;  // never destroyed: usable from any static destructor
  return env;
}

}  // namespace flor
