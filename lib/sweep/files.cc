#include "sweep/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "util/file_lock.h"

namespace flor::sweep {
namespace fs = std::filesystem;

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

Status make_dirs(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return io_error("cannot create folder " + path + ": " + ec.message());
  return Status();
}

bool file_exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

namespace {
Status write_all(int fd, const std::string& content, const std::string& path) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("cannot write " + path + ": " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  return Status();
}
}  // namespace

Status write_file_atomic(const std::string& path, const std::string& content) {
  fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) FLOR_RETURN_IF_ERROR(make_dirs(parent.string()));
  // The pid keeps two writers (a sweep and `flor show`) from sharing a temp name.
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create " + tmp + ": " + std::strerror(errno));
  Status st = write_all(fd, content, tmp);
  if (st.ok() && ::fsync(fd) != 0) st = io_error("cannot fsync " + tmp + ": " + std::strerror(errno));
  ::close(fd);
  if (st.ok() && std::rename(tmp.c_str(), path.c_str()) != 0) {
    st = io_error("cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
  }
  if (!st.ok()) ::unlink(tmp.c_str());
  return st;
}

Status append_line(const std::string& path, const std::string& line) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot open " + path + ": " + std::strerror(errno));
  Status st = write_all(fd, line + "\n", path);
  ::close(fd);
  return st;
}

uint64_t file_stamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  uint64_t ns =
      static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000ull + static_cast<uint64_t>(st.st_mtim.tv_nsec);
  return ns ^ (static_cast<uint64_t>(st.st_size) << 1) ^ 1;  // never 0 for an existing file
}

uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
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

namespace {

// lock_file, creating the lock's folder first.
Result<int> lock_in_dir(const std::string& path, bool wait) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) FLOR_RETURN_IF_ERROR(make_dirs(parent.string()));
  return lock_file(path, wait);
}

}  // namespace

Result<std::unique_ptr<FileLock>> FileLock::try_lock(const std::string& path) {
  Result<int> fd = lock_in_dir(path, /*wait=*/false);
  if (fd.status().code() == Code::kFailedPrecondition) {
    return failed_precondition(fd.status().message() + " (is the same sweep already running?)");
  }
  FLOR_RETURN_IF_ERROR(fd.status());
  return std::unique_ptr<FileLock>(new FileLock(*fd));
}

Result<std::unique_ptr<FileLock>> FileLock::lock(const std::string& path) {
  FLOR_ASSIGN_OR_RETURN(int fd, lock_in_dir(path, /*wait=*/true));
  return std::unique_ptr<FileLock>(new FileLock(fd));
}

FileLock::~FileLock() { ::close(fd_); }

std::string fnv1a_hex(const std::string& data) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace flor::sweep
