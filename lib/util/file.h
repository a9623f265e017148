// File helpers, no product code: owned descriptors, exact reads, whole-file
// reads, folders, stamps. Errors are Status values that name the file: kNotFound
// for a missing file, kIo for the OS refusing (ENOSPC, EACCES), kCorrupt for a
// file that is shorter than its reader was told. Durable writes: durable_file.h.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "util/status.h"

namespace flor {

// An owned file descriptor (closed on destruction). Movable, not copyable.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd();
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// An io_error "<what> <path>: <strerror(errno)>".
Status os_error(const std::string& what, const std::string& path);

Result<Fd> open_read(const std::string& path);
Result<int64_t> file_size(const Fd& fd, const std::string& path);
// Reads exactly `len` bytes at `offset`; a short read is kCorrupt (truncated).
Status pread_exact(const Fd& fd, void* dst, size_t len, int64_t offset, const std::string& path);
// The whole file's bytes.
Result<std::string> read_file(const std::string& path);

// mkdir -p.
Status make_dirs(const std::string& dir);
// The folder a path lives in ("." for a bare name).
std::string parent_dir(const std::string& path);
bool file_exists(const std::string& path);
// The size of a file in bytes, 0 when missing.
uint64_t file_size(const std::string& path);

// Appends one line (a '\n' is added) to a file another process may also be
// appending to: one O_APPEND write, so lines never interleave mid-line.
Status append_line(const std::string& path, const std::string& line);

// A change stamp of a file (mtime in ns, mixed with the size); 0 when missing.
// Comparing stamps is how a running sweep notices an edited config.
uint64_t file_stamp(const std::string& path);

// The last `max_lines` lines of a text file from byte `from` on ("" when it
// cannot be read). `from` skips what earlier attempts appended to a log.
std::string tail_lines(const std::string& path, int max_lines, uint64_t from = 0);

}  // namespace flor
