// Small file helpers the sweep needs: whole-file reads, atomic rewrites, mtimes.
// Every output of a sweep (journal, CSV, plots, run_data.json) is rewritten
// atomically so a reader (or a crash) never sees half a file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "util/status.h"

namespace flor::sweep {

Result<std::string> read_file(const std::string& path);
// Writes `content` to a temporary file beside `path`, fsyncs it and renames it
// over `path`. Creates the parent folders.
Status write_file_atomic(const std::string& path, const std::string& content);
// mkdir -p.
Status make_dirs(const std::string& path);
bool file_exists(const std::string& path);

// Appends one line (a '\n' is added) to a file another process may also be
// appending to: one O_APPEND write, so lines never interleave mid-line.
Status append_line(const std::string& path, const std::string& line);

// A change stamp of a file (mtime in ns, mixed with the size); 0 when missing.
// Comparing stamps is how a running sweep notices an edited config.
uint64_t file_stamp(const std::string& path);

// The last `max_lines` lines of a text file from byte `from` on ("" when it
// cannot be read). `from` skips what earlier attempts appended to a log.
std::string tail_lines(const std::string& path, int max_lines, uint64_t from = 0);
// The size of a file in bytes, 0 when missing.
uint64_t file_size(const std::string& path);

// An exclusive lock on a file (flock), held until destruction: one sweep
// process per journal. The kernel drops it when the holder dies.
class FileLock {
 public:
  // kFailedPrecondition when another process holds it.
  static Result<std::unique_ptr<FileLock>> try_lock(const std::string& path);
  // Waits until no other process holds it.
  static Result<std::unique_ptr<FileLock>> lock(const std::string& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

// 64-bit FNV-1a as 16 lowercase hex digits: stable across runs and machines.
std::string fnv1a_hex(const std::string& data);

}  // namespace flor::sweep
