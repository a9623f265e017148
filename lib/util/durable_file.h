// Files that appear under their final name only once complete and durable
// (write, fsync, rename, fsync of the folder). Every system call goes through
// an Env (util/env.h), so a test can fail any one of them. No product code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "util/env.h"
#include "util/file.h"
#include "util/status.h"

namespace flor {

// fsyncs a folder, making the names in it durable.
Status fsync_dir(const std::string& dir, Env* env = Env::posix());

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
// plus, at worst, a temp file that is_temp_file_name() recognizes. `env`
// outlives the file. Not thread-safe.
class DurableFile {
 public:
  struct Piece {
    const void* data;
    size_t len;
  };
  static Result<DurableFile> create(const std::string& final_path, IoMode mode = IoMode::kBuffered,
                                    Env* env = Env::posix());
  ~DurableFile();
  DurableFile(DurableFile&& other) noexcept;
  DurableFile& operator=(DurableFile&&) = delete;

  Status append(const void* data, size_t len);
  // Appends pieces in order, as few system calls as possible (one vectored
  // write for up to IOV_MAX pieces): each write of direct I/O waits for the
  // device, so a small separate write costs a whole round trip.
  Status append_all(const std::vector<Piece>& pieces);
  // Appends zero bytes up to the next multiple of `align` (at most kDirectAlign).
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
  DurableFile(std::string final_path, std::string temp_path, int fd, bool direct, Env* env);
  bool can_write_direct(const void* data, size_t len) const;
  Status write_pieces(const Piece* pieces, size_t count);
  Status stop_direct();
  void close_fd();

  std::string final_path_;
  std::string temp_path_;
  int fd_ = -1;  // through env_; closed by close_fd()
  Env* env_;
  int64_t size_ = 0;
  bool direct_ = false;
  bool synced_ = false;
  bool committed_ = false;  // published (or moved from): no temp file to remove
};

// True for names DurableFile uses for unfinished files.
bool is_temp_file_name(const std::string& name);

// Replaces `path` with `content` through a DurableFile (a reader, or a crash,
// never sees half a file). Creates the parent folders.
Status write_file_atomic(const std::string& path, const std::string& content, Env* env = Env::posix());

}  // namespace flor
