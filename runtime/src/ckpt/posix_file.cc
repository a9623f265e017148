#include "ckpt/posix_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <climits>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace flor::rt {
namespace {

constexpr const char* kTempMarker = ".tmp-";

Status os_error(const std::string& what, const std::string& path) {
  return io_error(what + " " + path + ": " + std::strerror(errno));
}

std::string parent_dir(const std::string& path) {
  const std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

}  // namespace

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

Result<Fd> open_read(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return not_found("checkpoint file " + path + " does not exist");
    return os_error("cannot open", path);
  }
  return Fd(fd);
}

Result<int64_t> file_size(const Fd& fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return os_error("cannot stat", path);
  return static_cast<int64_t>(st.st_size);
}

Status pread_exact(const Fd& fd, void* dst, size_t len, int64_t offset, const std::string& path) {
  auto* p = static_cast<char*>(dst);
  while (len > 0) {
    const ssize_t n = ::pread(fd.get(), p, len, offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error("cannot read", path);
    }
    if (n == 0) {
      return corrupt(path + " is truncated (ends before byte " + std::to_string(offset + len) +
                     "): the file is damaged; delete it or record again");
    }
    p += n;
    len -= static_cast<size_t>(n);
    offset += n;
  }
  return Status();
}

Result<std::string> read_whole_file(const std::string& path) {
  FLOR_ASSIGN_OR_RETURN(Fd fd, open_read(path));
  FLOR_ASSIGN_OR_RETURN(int64_t size, file_size(fd, path));
  std::string bytes(static_cast<size_t>(size), '\0');
  FLOR_RETURN_IF_ERROR(pread_exact(fd, bytes.data(), bytes.size(), 0, path));
  return bytes;
}

Status make_dirs(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return io_error("cannot create directory " + dir + ": " + ec.message());
  return Status();
}

Status fsync_dir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return os_error("cannot open directory", dir);
  if (::fsync(fd.get()) != 0) return os_error("cannot fsync directory", dir);
  return Status();
}

DurableFile::DurableFile(std::string final_path, std::string temp_path, Fd fd, bool direct)
    : final_path_(std::move(final_path)),
      temp_path_(std::move(temp_path)),
      fd_(std::move(fd)),
      direct_(direct) {}

Result<DurableFile> DurableFile::create(const std::string& final_path, IoMode mode) {
  std::string temp_path = final_path + kTempMarker + std::to_string(::getpid());
  const int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
  int fd = -1;
  bool direct = mode == IoMode::kDirect;
  if (direct) {
    fd = ::open(temp_path.c_str(), flags | O_DIRECT, 0644);
    if (fd < 0 && errno == EINVAL) direct = false;  // no O_DIRECT here (tmpfs)
  }
  if (!direct) fd = ::open(temp_path.c_str(), flags, 0644);
  if (fd < 0) return os_error("cannot create", temp_path);
  return DurableFile(final_path, std::move(temp_path), Fd(fd), direct);
}

bool DurableFile::can_write_direct(const void* data, size_t len) const {
  return reinterpret_cast<uintptr_t>(data) % kDirectAlign == 0 && len % kDirectAlign == 0 &&
         static_cast<size_t>(size_) % kDirectAlign == 0;
}

Status DurableFile::stop_direct() {
  direct_ = false;
  const int flags = ::fcntl(fd_.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd_.get(), F_SETFL, flags & ~O_DIRECT) != 0) {
    return os_error("cannot switch off direct I/O on", temp_path_);
  }
  return Status();
}

DurableFile::DurableFile(DurableFile&& other) noexcept
    : final_path_(std::move(other.final_path_)),
      temp_path_(std::move(other.temp_path_)),
      fd_(std::move(other.fd_)),
      size_(other.size_),
      direct_(other.direct_),
      synced_(other.synced_),
      committed_(other.committed_) {
  other.committed_ = true;  // the moved-from object owns no temp file
}

DurableFile::~DurableFile() {
  if (committed_) return;
  fd_ = Fd();
  ::unlink(temp_path_.c_str());
}

Status DurableFile::append(const void* data, size_t len) {
  if (direct_ && !can_write_direct(data, len)) FLOR_RETURN_IF_ERROR(stop_direct());
  const Piece piece{data, len};
  return write_pieces(&piece, 1);
}

Status DurableFile::pad_to(size_t align) {
  static const char kZeros[4096] = {};
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
    const ssize_t n = ::writev(fd_.get(), iov.data() + first, static_cast<int>(count - first));
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
  if (::fsync(fd_.get()) != 0) return os_error("cannot fsync", temp_path_);
  synced_ = true;
  return Status();
}

Status DurableFile::publish() {
  FLOR_CHECK(synced_ && !committed_);
  if (::close(fd_.release()) != 0) return os_error("cannot close", temp_path_);
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    return os_error("cannot rename " + temp_path_ + " to", final_path_);
  }
  committed_ = true;
  return Status();
}

Status DurableFile::commit() {
  FLOR_RETURN_IF_ERROR(sync());
  FLOR_RETURN_IF_ERROR(publish());
  return fsync_dir(parent_dir(final_path_));
}

bool is_temp_file_name(const std::string& name) {
  return name.find(kTempMarker) != std::string::npos;
}

}  // namespace flor::rt
