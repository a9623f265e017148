#include "sweep/child.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "sweep/files.h"

extern char** environ;

namespace flor::sweep {
namespace {

std::vector<std::string> merged_env(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> all;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    if (eq != std::string::npos) all[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : extra) all[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : all) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& items) {
  std::vector<char*> out;
  for (std::string& s : items) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

Result<int> open_log(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) FLOR_RETURN_IF_ERROR(make_dirs(parent.string()));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot open log " + path + ": " + std::strerror(errno));
  return fd;
}

// Runs in the forked child: only async-signal-safe calls until exec.
[[noreturn]] void exec_child(int out_fd, int err_fd, int report_fd, const std::vector<int>& cpus, char** argv,
                             char** envp) {
  ::setpgid(0, 0);                     // its own group: terminate() reaches its children too
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a killed sweep leaves no orphan run behind
  ::dup2(out_fd, STDOUT_FILENO);
  ::dup2(err_fd, STDERR_FILENO);
  if (!cpus.empty()) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int c : cpus) CPU_SET(c, &set);
    ::sched_setaffinity(0, sizeof set, &set);
  }
  ::execvpe(argv[0], argv, envp);
  int err = errno;
  ssize_t ignored = ::write(report_fd, &err, sizeof err);
  (void)ignored;
  ::_exit(127);
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
  if (spec.argv.empty()) return invalid_argument("no command to run");
  FLOR_ASSIGN_OR_RETURN(int out_fd, open_log(spec.stdout_path));
  Result<int> err_fd = open_log(spec.stderr_path);
  if (!err_fd.ok()) {
    ::close(out_fd);
    return err_fd.status();
  }
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    ::close(out_fd), ::close(*err_fd);
    return io_error(std::string("pipe: ") + std::strerror(errno));
  }
  std::vector<std::string> args = spec.argv, env = merged_env(spec.env);
  std::vector<char*> argv = c_strings(args), envp = c_strings(env);
  pid_t pid = ::fork();
  if (pid == 0) exec_child(out_fd, *err_fd, report[1], spec.cpus, argv.data(), envp.data());
  ::close(out_fd), ::close(*err_fd), ::close(report[1]);
  if (pid > 0) ::setpgid(pid, pid);  // also here: a kill(-pid) right after spawn must find the group
  if (pid < 0) {
    ::close(report[0]);
    return io_error(std::string("fork: ") + std::strerror(errno));
  }
  // The report pipe closes on a successful exec; an errno arrives when it failed.
  int exec_errno = 0;
  ssize_t n;
  do n = ::read(report[0], &exec_errno, sizeof exec_errno);
  while (n < 0 && errno == EINTR);
  ::close(report[0]);
  std::unique_ptr<Child> child(new Child(pid));
  if (n == sizeof exec_errno) {
    while (!child->poll()) ::usleep(1000);  // reap it: it exits right after the report
    Code code = exec_errno == ENOENT ? Code::kNotFound : Code::kFailedPrecondition;
    return Status(code, "cannot run " + spec.argv[0] + ": " + std::strerror(exec_errno));
  }
  return child;
}

std::optional<int> Child::poll() {
  if (exit_code_) return exit_code_;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exit_code_;
  }
  if (kill_at_ > 0 && monotonic_s() >= kill_at_) ::kill(-pid_, SIGKILL);
  return std::nullopt;
}

void Child::terminate(double grace_s) {
  if (exit_code_) return;
  ::kill(-pid_, SIGTERM);
  if (kill_at_ == 0) kill_at_ = monotonic_s() + grace_s;
}

Child::~Child() {
  if (exit_code_) return;
  ::kill(-pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace flor::sweep
