// An exclusive flock on a file, for processes that must take turns (the shadow
// branch, a sweep's journal, the probe cache). No product code.
#pragma once

#include <string>

#include "util/status.h"

namespace flor {

// Holds an exclusive flock on `path` (created when missing, with its folders;
// close-on-exec) until destroyed; the kernel drops it when the holder dies.
// flock locks belong to the open file, so two locks in one process exclude
// each other too. Movable, not copyable.
class FileLock {
 public:
  // kFailedPrecondition at once when another holder has it.
  static Result<FileLock> try_lock(const std::string& path);
  // Waits until no other holder has it.
  static Result<FileLock> lock(const std::string& path);
  ~FileLock();
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  enum class Wait { kNo, kYes };
  static Result<FileLock> take(const std::string& path, Wait wait);
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace flor
