// Small POSIX file helpers for the checkpoint engine. Errors are Status values
// that name the file: kIo for the OS refusing (ENOSPC, EACCES, ENOENT on
// write), kCorrupt for a file that is shorter than its format says. No torch.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace flor::rt {

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

Result<Fd> open_read(const std::string& path);
Result<int64_t> file_size(const Fd& fd, const std::string& path);
// Reads exactly `len` bytes at `offset`; a short read is kCorrupt (truncated).
Status pread_exact(const Fd& fd, void* dst, size_t len, int64_t offset, const std::string& path);
Result<std::string> read_whole_file(const std::string& path);

// mkdir -p.
Status make_dirs(const std::string& dir);
Status fsync_dir(const std::string& dir);

// How DurableFile writes. kDirect bypasses the page cache (O_DIRECT): no
// kernel copy of the bytes (CPU the training loop would lose on 2 cores), no
// dirty-page throttling, and fsync has only metadata left to flush. Appends
// that are not aligned to kDirectAlign (address, length and file offset), or
// a filesystem without O_DIRECT (tmpfs), fall back to buffered writes.
enum class IoMode { kBuffered, kDirect };
inline constexpr size_t kDirectAlign = 4096;

// A file that appears under its final name only once it is complete and
// durable: bytes go to "<final>.tmp-<pid>"; commit() fsyncs it, renames it to
// the final name and fsyncs the directory. Destroying an uncommitted file
// removes the temp. A crash at any point leaves the old final file (or none)
// plus, at worst, a temp file that is_temp_file_name() recognizes.
class DurableFile {
 public:
  struct Piece {
    const void* data;
    size_t len;
  };
  static Result<DurableFile> create(const std::string& final_path,
                                    IoMode mode = IoMode::kBuffered);
  ~DurableFile();
  DurableFile(DurableFile&& other) noexcept;
  DurableFile& operator=(DurableFile&&) = delete;

  Status append(const void* data, size_t len);
  // Appends pieces in order, as few system calls as possible (one vectored
  // write for up to IOV_MAX pieces): each write of direct I/O waits for the
  // device, so a small separate write costs a whole round trip.
  Status append_all(const std::vector<Piece>& pieces);
  // Appends zero bytes up to the next multiple of `align`.
  Status pad_to(size_t align);
  int64_t size() const { return size_; }
  // commit() = sync(), publish(), then fsync of the directory. A writer that
  // orders several files (docs/checkpoint-format.md, "Crash safety") calls
  // the steps itself and shares directory fsyncs.
  Status commit();
  // fsyncs the temp file.
  Status sync();
  // Renames the synced temp file to the final name. The name is durable only
  // once the directory is fsynced.
  Status publish();
  const std::string& final_path() const { return final_path_; }

 private:
  DurableFile(std::string final_path, std::string temp_path, Fd fd, bool direct);
  bool can_write_direct(const void* data, size_t len) const;
  Status write_pieces(const Piece* pieces, size_t count);
  Status stop_direct();

  std::string final_path_;
  std::string temp_path_;
  Fd fd_;
  int64_t size_ = 0;
  bool direct_ = false;
  bool synced_ = false;
  bool committed_ = false;  // published (or moved from): no temp file to remove
};

// True for names DurableFile uses for unfinished files.
bool is_temp_file_name(const std::string& name);

}  // namespace flor::rt
