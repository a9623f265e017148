// An Env (lib/util/env.h) for fault tests, after LevelDB's
// db/fault_injection_test.cc: real files, real system calls, except the one
// chosen call, which fails (EIO, ENOSPC, a short write). crash_at() instead
// kills the "process" at that call: it and every later call reach nothing on
// disk. crash() then drops what a power cut would drop: file bytes not yet
// fsynced, and names (created, renamed to) whose folder was not fsynced since.
// Deletions are not undone. Thread-safe (the checkpoint writer fsyncs a
// manifest on a helper thread); directory fsyncs count apart from file fsyncs,
// so the nth call of each kind is deterministic. A database engine's writes
// and syncs (Env::db_call: the store's SQLite files) count apart too; they
// fail or die like the others, but crash() does not undo them (SQLite keeps
// their descriptors; its WAL recovers from a torn tail by itself).
//
// Test-only, in lib/util so that the runtime's test hook can make one
// (FLOR_TEST_FAULT, runtime/src/test_fault.h); no product code uses it.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "util/env.h"

namespace flor {

class FaultEnv final : public Env {
 public:
  enum class Op { kOpen, kWrite, kFsync, kDirFsync, kRename, kUnlink, kMkdir, kDbWrite, kDbSync, kCount };

  // The nth call of `op` from now (1 = the next) fails with `err`; with
  // `short_write` (kWrite only) it writes half its bytes, and the write after
  // it fails with `err`. Only that call: the process goes on.
  void fail(Op op, int nth, int err = EIO, bool short_write = false) {
    std::lock_guard<std::mutex> lock(mu_);
    fault_ = Fault{op, calls_[static_cast<int>(op)] + nth, err, short_write, false};
  }
  // The armed fault, unless it fired: gone.
  void disarm() {
    std::lock_guard<std::mutex> lock(mu_);
    fault_.reset();
  }
  // The process dies at the nth call of `op` from now: that call and all later
  // ones fail with EIO and change nothing.
  void crash_at(Op op, int nth) {
    std::lock_guard<std::mutex> lock(mu_);
    fault_ = Fault{op, calls_[static_cast<int>(op)] + nth, EIO, false, true};
  }
  // The process dies at the nth call of any kind from now.
  void crash_at_call(int nth) {
    std::lock_guard<std::mutex> lock(mu_);
    crash_at_total_ = total_ + nth;
  }
  // Calls of `op` so far, all calls so far, injected faults that fired.
  int calls(Op op) const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_[static_cast<int>(op)];
  }
  int total_calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return total_;
  }
  int fired() const {
    std::lock_guard<std::mutex> lock(mu_);
    return fired_;
  }
  bool dead() const {
    std::lock_guard<std::mutex> lock(mu_);
    return dead_;
  }

  // A power cut: unsynced bytes and names go; the env lives again afterwards.
  // Returns how many things it dropped (bytes cut from a file, a name undone).
  int crash() {
    std::lock_guard<std::mutex> lock(mu_);
    int dropped = 0;
    for (const auto& [path, synced] : synced_size_) {
      struct stat st {};
      if (::stat(path.c_str(), &st) == 0 && st.st_size > synced) {
        if (::truncate(path.c_str(), synced) == 0) ++dropped;
      }
    }
    for (auto it = pending_.rbegin(); it != pending_.rend(); ++it, ++dropped) {
      std::error_code ec;
      if (it->kind == Pending::kCreate) {
        std::filesystem::remove_all(it->path, ec);
      } else {  // a rename: back to its old name, the old target's bytes back
        std::filesystem::rename(it->path, it->from, ec);
        if (it->old_bytes) std::ofstream(it->path, std::ios::binary | std::ios::trunc) << *it->old_bytes;
      }
    }
    pending_.clear();
    synced_size_.clear();
    dead_ = false;
    fault_.reset();
    crash_at_total_ = 0;
    return dropped;
  }

  int open(const std::string& path, int flags, mode_t mode) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (int err = enter(Op::kOpen)) return fail_with(err);
    const bool existed = ::access(path.c_str(), F_OK) == 0;
    const int fd = ::open(path.c_str(), flags, mode);
    if (fd < 0) return fd;
    const bool dir = (flags & O_DIRECTORY) != 0;
    fds_[fd] = {path, dir};
    if (!dir && (flags & (O_WRONLY | O_RDWR))) {
      if (!existed) pending_.push_back({Pending::kCreate, path, "", std::nullopt});
      if (!existed || (flags & O_TRUNC))
        synced_size_[path] = 0;
      else if (!synced_size_.count(path))
        synced_size_[path] = size_of(path);
    }
    return fd;
  }
  ssize_t writev(int fd, const iovec* iov, int count) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (int err = enter(Op::kWrite)) return fail_with(err);
    if (short_next_) {
      short_next_ = false;
      size_t total = 0;
      for (int i = 0; i < count; ++i) total += iov[i].iov_len;
      std::vector<char> half(total / 2);
      size_t at = 0;
      for (int i = 0; i < count && at < half.size(); ++i) {
        const size_t n = std::min(iov[i].iov_len, half.size() - at);
        std::memcpy(half.data() + at, iov[i].iov_base, n);
        at += n;
      }
      // Buffered on purpose: a half of an aligned write is not aligned.
      const int flags = ::fcntl(fd, F_GETFL);
      ::fcntl(fd, F_SETFL, flags & ~O_DIRECT);
      const ssize_t n = ::write(fd, half.data(), half.size());
      ::fcntl(fd, F_SETFL, flags);
      fault_ = Fault{Op::kWrite, calls_[static_cast<int>(Op::kWrite)] + 1, short_err_, false, false};
      return n;
    }
    return ::writev(fd, iov, count);
  }
  int fsync(int fd) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = fds_.find(fd);
    const bool dir = it != fds_.end() && it->second.dir;
    if (int err = enter(dir ? Op::kDirFsync : Op::kFsync)) return fail_with(err);
    const int rc = ::fsync(fd);
    if (rc == 0 && it != fds_.end()) {
      if (dir) {
        synced_dir(it->second.path);
      } else {
        synced_size_[it->second.path] = size_of(it->second.path);
      }
    }
    return rc;
  }
  int close(int fd) override {
    std::lock_guard<std::mutex> lock(mu_);
    fds_.erase(fd);
    return ::close(fd);  // even a dead process's descriptors close
  }
  int rename(const std::string& from, const std::string& to) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (int err = enter(Op::kRename)) return fail_with(err);
    std::optional<std::string> old_bytes;
    if (::access(to.c_str(), F_OK) == 0) {
      std::ifstream in(to, std::ios::binary);
      std::ostringstream buf;
      buf << in.rdbuf();
      old_bytes = buf.str();
    }
    const int rc = ::rename(from.c_str(), to.c_str());
    if (rc != 0) return rc;
    if (auto it = synced_size_.find(from); it != synced_size_.end()) {
      synced_size_[to] = it->second;
      synced_size_.erase(it);
    }
    pending_.push_back({Pending::kRename, to, from, std::move(old_bytes)});
    return rc;
  }
  int unlink(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (int err = enter(Op::kUnlink)) return fail_with(err);
    synced_size_.erase(path);
    return ::unlink(path.c_str());
  }
  int mkdir(const std::string& path, mode_t mode) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (int err = enter(Op::kMkdir)) return fail_with(err);
    const int rc = ::mkdir(path.c_str(), mode);
    if (rc == 0) pending_.push_back({Pending::kCreate, path, "", std::nullopt});
    return rc;
  }
  int64_t now_ns() override { return Env::posix()->now_ns(); }
  // A short write of a database engine's fails whole: the engine sees only
  // its own call's result.
  int db_call(DbCall call, const std::function<int()>& io) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      const int err = enter(call == DbCall::kWrite ? Op::kDbWrite : Op::kDbSync);
      if (short_next_) {
        short_next_ = false;
        ++fired_;
        return fail_with(short_err_);
      }
      if (err) return fail_with(err);
    }
    return io();  // unlocked: the engine may call again from another thread
  }

 private:
  struct Fault {
    Op op;
    int at;  // the value of calls_[op] that fails
    int err;
    bool short_write;
    bool crash;
  };
  struct Pending {
    enum Kind { kCreate, kRename } kind;
    std::string path;                      // the name made
    std::string from;                      // a rename's old name
    std::optional<std::string> old_bytes;  // what a rename replaced
  };
  struct OpenFile {
    std::string path;
    bool dir = false;
  };

  // Counts a call; returns the errno it must fail with, or 0.
  int enter(Op op) {
    ++total_;
    const int n = ++calls_[static_cast<int>(op)];
    if (dead_) return EIO;
    if (crash_at_total_ > 0 && total_ == crash_at_total_) {
      ++fired_;
      dead_ = true;
      return EIO;
    }
    if (!fault_ || fault_->op != op || fault_->at != n) return 0;
    const Fault f = *fault_;
    fault_.reset();
    ++fired_;
    if (f.crash) {
      dead_ = true;
      return EIO;
    }
    if (f.short_write) {
      short_next_ = true;
      short_err_ = f.err;
      --fired_;  // counted when the write after it fails
      return 0;
    }
    return f.err;
  }
  static int fail_with(int err) {
    errno = err;
    return -1;
  }
  static int64_t size_of(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_size : 0;
  }
  // Names made in `dir` are durable now.
  void synced_dir(const std::string& dir) {
    const std::filesystem::path d = std::filesystem::path(dir).lexically_normal();
    std::vector<Pending> keep;
    for (auto& p : pending_) {
      if (std::filesystem::path(p.path).parent_path().lexically_normal() != d) keep.push_back(std::move(p));
    }
    pending_ = std::move(keep);
  }

  mutable std::mutex mu_;
  int calls_[static_cast<int>(Op::kCount)] = {};
  int total_ = 0;
  int fired_ = 0;
  bool dead_ = false;
  int crash_at_total_ = 0;
  bool short_next_ = false;
  int short_err_ = 0;
  std::optional<Fault> fault_;
  std::map<int, OpenFile> fds_;
  std::map<std::string, int64_t> synced_size_;  // files written through this env: bytes known durable
  std::vector<Pending> pending_;                // names not yet durable, in the order made
};

}  // namespace flor
