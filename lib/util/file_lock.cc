#include "util/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "util/file.h"

namespace flor {

Result<FileLock> FileLock::take(const std::string& path, Wait wait) {
  FLOR_RETURN_IF_ERROR(make_dirs(parent_dir(path)));
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return os_error("cannot open", path);
  while (::flock(fd, wait == Wait::kYes ? LOCK_EX : LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return failed_precondition("another process holds " + path);
    return io_error("cannot lock " + path + ": " + std::strerror(err));
  }
  return FileLock(fd);
}

Result<FileLock> FileLock::try_lock(const std::string& path) { return take(path, Wait::kNo); }
Result<FileLock> FileLock::lock(const std::string& path) { return take(path, Wait::kYes); }

FileLock::FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace flor
