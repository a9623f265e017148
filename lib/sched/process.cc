#include "sched/process.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>

namespace flor::sched {
namespace {

// The write end of the running group's self-pipe. The one mutable global of the
// driver: a signal handler can reach nothing else.
volatile int g_signal_fd = -1;

// The signals a group handles (process.h says what each does).
constexpr int kHandled[] = {SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGCONT, SIGWINCH};

// One byte per signal: its number; the group's loop acts on it.
void on_signal(int signo) {
  int saved = errno;
  unsigned char msg = static_cast<unsigned char>(signo);
  if (g_signal_fd >= 0) (void)!::write(g_signal_fd, &msg, 1);
  errno = saved;
}

void set_handlers(void (*handler)(int)) {
  struct sigaction sa {};
  sa.sa_handler = handler;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  for (int signo : kHandled) ::sigaction(signo, &sa, nullptr);
}

void write_all(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;  // a closed terminal must not stop the child's log
    data += w;
    n -= static_cast<size_t>(w);
  }
}

Status make_pipe(int fds[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return io_error(std::string("cannot create a pipe: ") + std::strerror(errno));
  return Status();
}

void close_fd(int* fd) {
  if (*fd >= 0) ::close(*fd);
  *fd = -1;
}

// A pseudo-terminal the size of `terminal`: fds[0] the master (ours), fds[1] the
// child's end. "\n" stays "\n" (no ONLCR): the log gets the bytes the program
// wrote, and our terminal adds its own "\r".
Status make_pty(int terminal, int fds[2]) {
  winsize ws{};
  bool sized = ::ioctl(terminal, TIOCGWINSZ, &ws) == 0;
  if (::openpty(&fds[0], &fds[1], nullptr, nullptr, sized ? &ws : nullptr) != 0)
    return io_error(std::string("cannot open a pseudo-terminal: ") + std::strerror(errno));
  termios t{};
  if (::tcgetattr(fds[1], &t) == 0) {
    t.c_oflag &= ~static_cast<tcflag_t>(ONLCR);
    ::tcsetattr(fds[1], TCSANOW, &t);
  }
  for (int fd : {fds[0], fds[1]}) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  return Status();
}

// Where one of the child's streams goes: a pseudo-terminal when it is shown
// live on our terminal `shown_on`, else (or when no pty can be had) a pipe.
Status make_channel(Echo echo, int shown_on, int fds[2], bool* pty) {
  *pty = echo == Echo::kLive && ::isatty(shown_on) && make_pty(shown_on, fds).ok();
  return *pty ? Status() : make_pipe(fds);
}

}  // namespace

struct ProcessGroup::Child {
  pid_t pid = -1;
  int out_fd = -1;  // read ends of the child's stdout and stderr
  int err_fd = -1;
  int log_fd = -1;
  bool out_pty = false;  // out_fd / err_fd is a pseudo-terminal's master
  bool err_pty = false;
  Echo echo = Echo::kLive;
  bool reaped = false;
  ExitInfo exit;
};

std::string read_tail(const std::string& path, int lines) {
  std::ifstream in(path);
  std::deque<std::string> last;
  std::string line;
  while (std::getline(in, line)) {
    last.push_back(line);
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  std::string out;
  for (const auto& l : last) out += l + "\n";
  return out;
}

ProcessGroup::ProcessGroup(std::chrono::milliseconds kill_after) : kill_after_(kill_after) {
  FLOR_CHECK_MSG(g_signal_fd < 0, "only one ProcessGroup may exist at a time");
  FLOR_CHECK(::pipe2(signal_pipe_, O_CLOEXEC | O_NONBLOCK) == 0);
  g_signal_fd = signal_pipe_[1];
  set_handlers(on_signal);
}

ProcessGroup::~ProcessGroup() {
  for (Child& c : children_) {
    if (!c.reaped) {
      signal_group(c.pid, SIGKILL);
      ::waitpid(c.pid, nullptr, 0);
    }
    close_fd(&c.out_fd);
    close_fd(&c.err_fd);
    close_fd(&c.log_fd);
  }
  set_handlers(SIG_DFL);
  g_signal_fd = -1;
  close_fd(&signal_pipe_[0]);
  close_fd(&signal_pipe_[1]);
}

pid_t ProcessGroup::pid(int index) const { return children_.at(static_cast<size_t>(index)).pid; }

Result<int> ProcessGroup::start(const SpawnSpec& spec) {
  Child child;
  child.echo = spec.echo;
  if (!spec.log_path.empty()) {
    child.log_fd = ::open(spec.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (child.log_fd < 0)
      return io_error("cannot open log file " + spec.log_path + ": " + std::strerror(errno));
  }
  int out[2] = {-1, -1}, err[2] = {-1, -1};
  Status piped = make_channel(spec.echo, STDOUT_FILENO, out, &child.out_pty);
  if (piped.ok()) piped = make_channel(spec.echo, STDERR_FILENO, err, &child.err_pty);
  if (!piped.ok()) {
    for (int* fd : {&out[0], &out[1], &child.log_fd}) close_fd(fd);
    return piped;
  }
  Result<pid_t> pid = spawn({spec.argv, spec.env, out[1], err[1], spec.cpus, spec.cwd});
  ::close(out[1]);
  ::close(err[1]);
  child.out_fd = out[0];
  child.err_fd = err[0];
  if (!pid.ok()) {
    close_fd(&child.out_fd);
    close_fd(&child.err_fd);
    close_fd(&child.log_fd);
    return pid.status();
  }
  child.pid = *pid;
  children_.push_back(child);
  return static_cast<int>(children_.size() - 1);
}

void ProcessGroup::signal_children(int signo) {
  for (const Child& c : children_) {
    if (!c.reaped) signal_group(c.pid, signo);
  }
}

void ProcessGroup::handle_signals() {
  unsigned char signo;
  while (::read(signal_pipe_[0], &signo, 1) == 1) {
    switch (signo) {
      case SIGTSTP:  // Ctrl-Z: the programs stop with us, as when they shared our terminal.
        // SIGSTOP: the kernel drops SIGTSTP sent to their groups, orphaned in their own sessions.
        signal_children(SIGSTOP);
        ::raise(SIGSTOP);
        break;
      case SIGCONT:
        signal_children(SIGCONT);
        break;
      case SIGWINCH:
        resize_terminals();
        break;
      default:  // SIGINT, SIGTERM, SIGHUP
        interrupted_ = true;
        signal_children(signo);
        if (!kill_at_) kill_at_ = std::chrono::steady_clock::now() + kill_after_;
    }
  }
}

void ProcessGroup::resize_terminals() {
  for (const Child& c : children_) {
    if (c.reaped) continue;
    winsize ws{};
    if (c.out_pty && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) ::ioctl(c.out_fd, TIOCSWINSZ, &ws);
    if (c.err_pty && ::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0) ::ioctl(c.err_fd, TIOCSWINSZ, &ws);
    if (c.out_pty || c.err_pty) signal_group(c.pid, SIGWINCH);
  }
}

// A child still running kill_after_ after SIGINT, SIGTERM or SIGHUP gets SIGKILL.
void ProcessGroup::escalate() {
  if (!kill_at_ || std::chrono::steady_clock::now() < *kill_at_) return;
  kill_at_.reset();
  for (Child& c : children_) {
    if (c.reaped) continue;
    signal_group(c.pid, SIGKILL);
    c.exit.killed = true;
  }
}

// Moves whatever the children wrote to the terminal and their logs; waits at
// most timeout_ms for something to happen. Returns whether output arrived.
bool ProcessGroup::pump(int timeout_ms) {
  std::vector<pollfd> fds{{signal_pipe_[0], POLLIN, 0}};
  std::vector<std::pair<Child*, int>> owners{{nullptr, -1}};
  for (Child& c : children_) {
    for (int fd : {c.out_fd, c.err_fd}) {
      if (fd < 0) continue;
      fds.push_back({fd, POLLIN, 0});
      owners.emplace_back(&c, fd);
    }
  }
  if (::poll(fds.data(), fds.size(), timeout_ms) <= 0) return false;
  if (fds[0].revents) handle_signals();
  bool got = false;
  char buf[65536];
  for (size_t i = 1; i < fds.size(); ++i) {
    if (!fds[i].revents) continue;
    auto [c, fd] = owners[i];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close_fd(fd == c->out_fd ? &c->out_fd : &c->err_fd);
      continue;
    }
    if (c->echo == Echo::kLive)
      write_all(fd == c->out_fd ? STDOUT_FILENO : STDERR_FILENO, buf, static_cast<size_t>(n));
    if (c->log_fd >= 0) write_all(c->log_fd, buf, static_cast<size_t>(n));
    got = true;
  }
  return got;
}

void ProcessGroup::reap() {
  for (Child& c : children_) {
    if (c.reaped) continue;
    int status = 0;
    if (::waitpid(c.pid, &status, WNOHANG) != c.pid) continue;
    c.reaped = true;
    if (WIFSIGNALED(status)) {
      c.exit.signal = WTERMSIG(status);
      c.exit.exit_code = 128 + c.exit.signal;
    } else {
      c.exit.exit_code = WEXITSTATUS(status);
    }
    c.exit.interrupted = interrupted_ || c.exit.signal == SIGINT || c.exit.signal == SIGTERM;
  }
}

// A child is done when it was reaped and its pipes hit EOF; a grandchild that
// keeps a pipe open does not hold us once the child itself is gone.
bool ProcessGroup::all_done() const {
  for (const Child& c : children_) {
    if (!c.reaped || c.out_fd >= 0 || c.err_fd >= 0) return false;
  }
  return true;
}

std::vector<ExitInfo> ProcessGroup::wait(const std::function<void()>& tick, std::chrono::milliseconds interval,
                                         const std::function<void(int index)>& exited) {
  using Clock = std::chrono::steady_clock;
  auto next_tick = Clock::now() + interval;
  int idle_after_reap = 0;
  std::vector<bool> told;  // `exited` ran for child i
  auto announce = [&] {
    if (!exited) return;
    for (size_t i = 0; i < children_.size(); ++i) {  // exited() may add children
      if (i == told.size()) told.push_back(false);
      if (told[i] || !children_[i].reaped) continue;
      told[i] = true;
      exited(static_cast<int>(i));
    }
  };
  while (!all_done()) {
    bool got = pump(50);
    escalate();
    reap();
    announce();
    bool all_reaped = true;
    for (const Child& c : children_) all_reaped = all_reaped && c.reaped;
    idle_after_reap = all_reaped && !got ? idle_after_reap + 1 : 0;
    if (idle_after_reap > 20) break;  // ~1 s of quiet: orphaned pipes held by grandchildren
    if (tick && Clock::now() >= next_tick) {
      tick();
      next_tick = Clock::now() + interval;
    }
  }
  if (tick) tick();
  std::vector<ExitInfo> out;
  for (Child& c : children_) {
    close_fd(&c.out_fd);
    close_fd(&c.err_fd);
    close_fd(&c.log_fd);
    out.push_back(c.exit);
  }
  return out;
}

}  // namespace flor::sched
