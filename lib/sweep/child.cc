#include "sweep/child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "sched/spawn.h"
#include "util/file.h"

namespace flor::sweep {
namespace {

Result<int> open_log(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) FLOR_RETURN_IF_ERROR(make_dirs(parent.string()));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot open log " + path + ": " + std::strerror(errno));
  return fd;
}

}  // namespace

double monotonic_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

double unix_s() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

Result<std::unique_ptr<Child>> Child::spawn(const ChildSpec& spec) {
  FLOR_ASSIGN_OR_RETURN(int out_fd, open_log(spec.stdout_path));
  Result<int> err_fd = open_log(spec.stderr_path);
  if (!err_fd.ok()) {
    ::close(out_fd);
    return err_fd.status();
  }
  Result<pid_t> pid = sched::spawn({spec.argv, spec.env, out_fd, *err_fd, spec.cpus, ""});
  ::close(out_fd), ::close(*err_fd);
  if (!pid.ok()) return pid.status();
  return std::unique_ptr<Child>(new Child(*pid));
}

std::optional<int> Child::poll() {
  if (exit_code_) return exit_code_;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exit_code_;
  }
  if (kill_at_ > 0 && monotonic_s() >= kill_at_) sched::signal_group(pid_, SIGKILL);
  return std::nullopt;
}

void Child::terminate(double grace_s) {
  if (exit_code_) return;
  sched::signal_group(pid_, SIGTERM);
  if (kill_at_ == 0) kill_at_ = monotonic_s() + grace_s;
}

Child::~Child() {
  if (exit_code_) return;
  sched::signal_group(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace flor::sweep
