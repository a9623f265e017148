#include "sched/spawn.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

extern char** environ;

namespace flor::sched {
namespace {

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// argv/envp as execve wants them, built before fork (the child may only make
// async-signal-safe calls).
struct ExecArgs {
  std::string path;  // the resolved program; argv[0] stays as the user wrote it
  std::vector<std::string> storage;
  std::vector<char*> argv;
  std::vector<char*> envp;
  cpu_set_t cpus;
};

ExecArgs make_exec_args(const ExecSpec& spec, std::string path) {
  ExecArgs a;
  a.path = std::move(path);
  size_t args = spec.argv.size();
  a.storage = spec.argv;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos && spec.env.count(kv.substr(0, eq))) continue;
    a.storage.push_back(kv);
  }
  for (const auto& [k, v] : spec.env) {
    std::string& kv = a.storage.emplace_back(k);
    kv += '=';
    kv += v;
  }
  for (size_t i = 0; i < args; ++i) a.argv.push_back(a.storage[i].data());
  a.argv.push_back(nullptr);
  for (size_t i = args; i < a.storage.size(); ++i) a.envp.push_back(a.storage[i].data());
  a.envp.push_back(nullptr);
  CPU_ZERO(&a.cpus);
  for (int c : spec.cpus) CPU_SET(c, &a.cpus);
  return a;
}

[[noreturn]] void report_and_exit(int report_fd) {
  int err = errno;
  (void)!::write(report_fd, &err, sizeof err);
  ::_exit(127);
}

// Runs in the forked child: only async-signal-safe calls until exec.
[[noreturn]] void exec_child(const ExecSpec& spec, const ExecArgs& a, pid_t parent, int report_fd) {
  if (::setsid() < 0) report_and_exit(report_fd);
  // PDEATHSIG survives execve; a parent that died before prctl is caught here.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) report_and_exit(report_fd);
  if (::getppid() != parent) ::_exit(128 + SIGKILL);
  ::dup2(spec.stdout_fd, STDOUT_FILENO);
  ::dup2(spec.stderr_fd, STDERR_FILENO);
  if (!spec.cpus.empty()) ::sched_setaffinity(0, sizeof(cpu_set_t), &a.cpus);
  if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) report_and_exit(report_fd);
  ::execve(a.path.c_str(), a.argv.data(), a.envp.data());
  report_and_exit(report_fd);
}

}  // namespace

Result<std::string> resolve_command(const std::string& command, const EnvLookup& env,
                                    const std::string& cwd) {
  if (command.empty()) return invalid_argument("no command given");
  if (command.find('/') != std::string::npos) {
    std::string path = command[0] == '/' || cwd.empty() ? command : cwd + "/" + command;
    if (is_executable_file(path)) return path;
    return not_found("command not found: " + command + " (no executable file at that path" +
                     (cwd.empty() ? "" : " in " + cwd) + ")");
  }
  std::stringstream path(env("PATH").value_or("/usr/local/bin:/usr/bin:/bin"));
  std::string dir;
  while (std::getline(path, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + command;
    if (is_executable_file(candidate)) return candidate;
  }
  return not_found("command not found: " + command + " (not in PATH; give a path like ./" + command + ")");
}

Result<pid_t> spawn(const ExecSpec& spec) {
  if (spec.argv.empty()) return invalid_argument("no command given");
  FLOR_ASSIGN_OR_RETURN(std::string path, resolve_command(spec.argv[0], process_env(), spec.cwd));
  ExecArgs args = make_exec_args(spec, std::move(path));
  FLOR_CHECK_MSG(::getpid() == ::gettid(),
                 "spawn from the main thread: PDEATHSIG follows the forking thread");
  const pid_t parent = ::getpid();
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0)
    return io_error(std::string("cannot create a pipe: ") + std::strerror(errno));
  pid_t pid = ::fork();
  if (pid == 0) exec_child(spec, args, parent, report[1]);
  int fork_errno = errno;
  ::close(report[1]);
  if (pid < 0) {
    ::close(report[0]);
    return io_error("cannot start " + spec.argv[0] + ": fork: " + std::strerror(fork_errno));
  }
  // The report pipe closes on a successful exec (so the child's setsid is done:
  // kill(-pid) finds its group); an errno arrives when it failed.
  int exec_errno = 0;
  ssize_t n;
  do n = ::read(report[0], &exec_errno, sizeof exec_errno);
  while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n == sizeof exec_errno) {
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    Code code = exec_errno == ENOENT ? Code::kNotFound : Code::kFailedPrecondition;
    return Status(code, "cannot start " + spec.argv[0] + ": " + std::strerror(exec_errno));
  }
  return pid;
}

void signal_group(pid_t pid, int signo) {
  if (::kill(-pid, signo) != 0) ::kill(pid, signo);
}

}  // namespace flor::sched
