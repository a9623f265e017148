#include "util/durable_file.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <filesystem>
#include <utility>

namespace flor {
namespace {
constexpr const char* kTempMarker = ".tmp-";
}  // namespace

Status fsync_dir(const std::string& dir, Env* env) {
  const int fd = env->open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0) return os_error("cannot open directory", dir);
  Status st;
  if (env->fsync(fd) != 0) st = os_error("cannot fsync directory", dir);
  env->close(fd);
  return st;
}

DurableFile::DurableFile(std::string final_path, std::string temp_path, int fd, bool direct, Env* env)
    : final_path_(std::move(final_path)),
      temp_path_(std::move(temp_path)),
      fd_(fd),
      env_(env),
      direct_(direct) {}

Result<DurableFile> DurableFile::create(const std::string& final_path, IoMode mode, Env* env) {
  std::string temp_path = final_path + kTempMarker + std::to_string(::getpid());
  const int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
  int fd = -1;
  bool direct = mode == IoMode::kDirect;
  if (direct) {
    fd = env->open(temp_path, flags | O_DIRECT, 0644);
    if (fd < 0 && errno == EINVAL) direct = false;  // no O_DIRECT here (tmpfs)
  }
  if (!direct) fd = env->open(temp_path, flags, 0644);
  if (fd < 0) return os_error("cannot create", temp_path);
  return DurableFile(final_path, std::move(temp_path), fd, direct, env);
}

bool DurableFile::can_write_direct(const void* data, size_t len) const {
  return reinterpret_cast<uintptr_t>(data) % kDirectAlign == 0 && len % kDirectAlign == 0 &&
         static_cast<size_t>(size_) % kDirectAlign == 0;
}

Status DurableFile::stop_direct() {
  direct_ = false;
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT) != 0) {
    return os_error("cannot switch off direct I/O on", temp_path_);
  }
  return Status();
}

DurableFile::DurableFile(DurableFile&& other) noexcept
    : final_path_(std::move(other.final_path_)),
      temp_path_(std::move(other.temp_path_)),
      fd_(std::exchange(other.fd_, -1)),
      env_(other.env_),
      size_(other.size_),
      direct_(other.direct_),
      synced_(other.synced_),
      committed_(other.committed_) {
  other.committed_ = true;  // the moved-from object owns no temp file
}

void DurableFile::close_fd() {
  if (fd_ >= 0) env_->close(std::exchange(fd_, -1));
}

DurableFile::~DurableFile() {
  close_fd();
  if (!committed_) env_->unlink(temp_path_);
}

Status DurableFile::append(const void* data, size_t len) {
  if (direct_ && !can_write_direct(data, len)) FLOR_RETURN_IF_ERROR(stop_direct());
  const Piece piece{data, len};
  return write_pieces(&piece, 1);
}

Status DurableFile::pad_to(size_t align) {
  static const char kZeros[kDirectAlign] = {};
  const size_t rem = static_cast<size_t>(size_) % align;
  if (rem == 0) return Status();
  FLOR_CHECK(align - rem <= sizeof(kZeros));
  return append(kZeros, align - rem);
}

Status DurableFile::append_all(const std::vector<Piece>& pieces) {
  if (direct_) {
    for (const Piece& p : pieces) {
      if (!can_write_direct(p.data, p.len)) {
        FLOR_RETURN_IF_ERROR(stop_direct());
        break;
      }
    }
  }
  const size_t max_iov = static_cast<size_t>(IOV_MAX);
  for (size_t i = 0; i < pieces.size(); i += max_iov) {
    FLOR_RETURN_IF_ERROR(write_pieces(pieces.data() + i, std::min(max_iov, pieces.size() - i)));
  }
  return Status();
}

// One writev for all pieces; a short write continues where it stopped.
Status DurableFile::write_pieces(const Piece* pieces, size_t count) {
  std::vector<iovec> iov(count);
  size_t left = 0;
  for (size_t i = 0; i < count; ++i) {
    iov[i] = {const_cast<void*>(pieces[i].data), pieces[i].len};
    left += pieces[i].len;
  }
  size_t first = 0;
  while (left > 0) {
    const ssize_t n = env_->writev(fd_, iov.data() + first, static_cast<int>(count - first));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EINVAL && direct_) {  // the device wants another alignment
        FLOR_RETURN_IF_ERROR(stop_direct());
        continue;
      }
      return os_error("cannot write", temp_path_);
    }
    size_ += n;
    left -= static_cast<size_t>(n);
    for (size_t done = static_cast<size_t>(n); done > 0 && first < count;) {
      const size_t take = std::min(done, iov[first].iov_len);
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + take;
      iov[first].iov_len -= take;
      done -= take;
      if (iov[first].iov_len == 0) ++first;
    }
    // A short direct write leaves unaligned pieces: go on buffered.
    if (left > 0 && direct_) FLOR_RETURN_IF_ERROR(stop_direct());
  }
  return Status();
}

Status DurableFile::sync() {
  FLOR_CHECK(!committed_);
  if (env_->fsync(fd_) != 0) return os_error("cannot fsync", temp_path_);
  synced_ = true;
  return Status();
}

Status DurableFile::publish() {
  FLOR_CHECK(synced_ && !committed_);
  if (env_->close(std::exchange(fd_, -1)) != 0) return os_error("cannot close", temp_path_);
  if (env_->rename(temp_path_, final_path_) != 0) {
    return os_error("cannot rename " + temp_path_ + " to", final_path_);
  }
  committed_ = true;
  return Status();
}

Status DurableFile::commit() {
  FLOR_RETURN_IF_ERROR(sync());
  FLOR_RETURN_IF_ERROR(publish());
  return fsync_dir(parent_dir(final_path_), env_);
}

bool is_temp_file_name(const std::string& name) { return name.find(kTempMarker) != std::string::npos; }

Status write_file_atomic(const std::string& path, const std::string& content, Env* env) {
  const std::string parent = std::filesystem::path(path).parent_path().string();
  if (!parent.empty()) FLOR_RETURN_IF_ERROR(make_dirs(parent));
  FLOR_ASSIGN_OR_RETURN(DurableFile file, DurableFile::create(path, IoMode::kBuffered, env));
  FLOR_RETURN_IF_ERROR(file.append(content.data(), content.size()));
  return file.commit();
}

}  // namespace flor
