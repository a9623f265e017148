// Running programs without a shell: a group of child processes whose stdout and
// stderr are streamed live (or not) and copied into log files, with signals
// forwarded. Used by `flor run` (one child) and `flor replay -j N` (N workers).
//
// Output: a live stream whose destination (our stdout or stderr) is a terminal
// reaches the child through a pseudo-terminal, so the program sees isatty() true,
// line-buffers its printf and keeps colours and progress bars; otherwise (not
// live, or our output is a file or pipe) through a pipe.
//
// Signals: every child runs in its own session (sched::spawn), so the terminal
// signals only this process, and the group passes signals on to each child's
// process group. While a ProcessGroup exists, SIGINT, SIGTERM and SIGHUP do not
// kill this process; they mark the group interrupted, are forwarded, and a
// child still running `kill_after` later gets SIGKILL (as `docker stop` does).
// SIGTSTP (Ctrl-Z) stops the children (SIGSTOP) and then this process; SIGCONT resumes
// them; SIGWINCH resizes their pseudo-terminals.
// Only one ProcessGroup may exist at a time (the signal handler is process-wide).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sched/spawn.h"
#include "store/contract.h"
#include "util/status.h"

namespace flor::sched {

enum class Echo { kNone, kLive };  // kLive: child stdout -> our stdout, child stderr -> our stderr

struct SpawnSpec {
  std::vector<std::string> argv;           // argv[0] is resolved with resolve_command
  std::map<std::string, std::string> env;  // set on top of this process's environment
  std::string log_path;                    // "" = no copy; else stdout+stderr appended here
  Echo echo = Echo::kLive;
  std::vector<int> cpus;                   // CPU affinity of the child; empty = inherit
  std::string cwd;                         // working directory of the child; "" = ours
};

struct ExitInfo {
  int exit_code = 0;         // the child's exit code, or 128 + the signal that killed it
  int signal = 0;            // that signal, 0 when the child exited normally
  bool interrupted = false;  // it ended after this process got SIGINT, SIGTERM or SIGHUP
  bool killed = false;       // it outlived kill_after after that signal and got SIGKILL
};

// Between a forwarded SIGINT/SIGTERM/SIGHUP and SIGKILL, by default.
inline constexpr std::chrono::milliseconds kDefaultKillAfter{10000};

// The last `lines` lines of a text file ("" when it cannot be read).
std::string read_tail(const std::string& path, int lines);

class ProcessGroup {
 public:
  explicit ProcessGroup(std::chrono::milliseconds kill_after = kDefaultKillAfter);
  ~ProcessGroup();  // restores the signal handlers; children still running are killed
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  // Starts a child; returns its index in this group. An argv[0] that cannot be
  // executed is an error here, not a child exiting with 127.
  Result<int> start(const SpawnSpec& spec);

  // Streams output and reaps children until all have exited. `tick` (may be
  // empty) runs every `interval`, and once more at the end. `exited` (may be
  // empty) runs once for each child when it has ended (reaped; output may
  // still come), with its index; it may start() more children, which are
  // waited for too.
  // The result has one entry per child, in start order.
  std::vector<ExitInfo> wait(const std::function<void()>& tick, std::chrono::milliseconds interval,
                             const std::function<void(int index)>& exited = {});

  pid_t pid(int index) const;
  bool interrupted() const { return interrupted_; }

 private:
  struct Child;
  bool pump(int timeout_ms);
  void handle_signals();
  void signal_children(int signo);
  void resize_terminals();
  void escalate();
  void reap();
  bool all_done() const;

  std::vector<Child> children_;
  int signal_pipe_[2] = {-1, -1};
  bool interrupted_ = false;
  std::chrono::milliseconds kill_after_;
  std::optional<std::chrono::steady_clock::time_point> kill_at_;  // armed by the first SIGINT/SIGTERM/SIGHUP
};

}  // namespace flor::sched
