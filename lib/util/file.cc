#include "util/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace flor {
namespace fs = std::filesystem;

Status os_error(const std::string& what, const std::string& path) {
  return io_error(what + " " + path + ": " + std::strerror(errno));
}

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
    if (errno == ENOENT) return not_found("file " + path + " does not exist");
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

Result<std::string> read_file(const std::string& path) {
  FLOR_ASSIGN_OR_RETURN(Fd fd, open_read(path));
  FLOR_ASSIGN_OR_RETURN(int64_t size, file_size(fd, path));
  std::string bytes(static_cast<size_t>(size), '\0');
  FLOR_RETURN_IF_ERROR(pread_exact(fd, bytes.data(), bytes.size(), 0, path));
  return bytes;
}

Status make_dirs(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return io_error("cannot create folder " + dir + ": " + ec.message());
  return Status();
}

std::string parent_dir(const std::string& path) {
  const std::string parent = fs::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

bool file_exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

Status append_line(const std::string& path, const std::string& line) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (fd.get() < 0) return os_error("cannot open", path);
  const std::string text = line + "\n";
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("cannot write", path);
    done += static_cast<size_t>(n);
  }
  return Status();
}

uint64_t file_stamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  uint64_t ns =
      static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000ull + static_cast<uint64_t>(st.st_mtim.tv_nsec);
  return ns ^ (static_cast<uint64_t>(st.st_size) << 1) ^ 1;  // never 0 for an existing file
}

std::string tail_lines(const std::string& path, int max_lines, uint64_t from) {
  Result<std::string> text = read_file(path);
  if (!text.ok() || max_lines <= 0 || from >= text->size()) return "";
  const std::string s = text->substr(from);
  size_t end = s.size();
  if (end > 0 && s[end - 1] == '\n') --end;
  size_t pos = end;
  for (int lines = 0; pos > 0; --pos) {
    if (s[pos - 1] == '\n' && ++lines == max_lines) break;
  }
  return s.substr(pos, end - pos);
}

}  // namespace flor
