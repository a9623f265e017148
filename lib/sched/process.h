// Running programs without a shell: a group of child processes whose stdout and
// stderr are streamed live (or not) and copied into log files, with Ctrl-C
// forwarded. Used by `flor run` (one child) and `flor replay -j N` (N workers).
//
// Signals: while a ProcessGroup exists, SIGINT and SIGTERM do not kill this
// process; they mark the group interrupted and are forwarded to the children
// when they were sent by a process (kill). Ctrl-C at a terminal already reaches
// every process of the foreground group, so it is not sent twice.
// Only one ProcessGroup may exist at a time (the signal handler is process-wide).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
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
  bool interrupted = false;  // it ended after this process got SIGINT or SIGTERM
};

// The last `lines` lines of a text file ("" when it cannot be read).
std::string read_tail(const std::string& path, int lines);

class ProcessGroup {
 public:
  ProcessGroup();
  ~ProcessGroup();  // restores the signal handlers; children still running are killed
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  // Starts a child; returns its index in this group. An argv[0] that cannot be
  // executed is an error here, not a child exiting with 127.
  Result<int> start(const SpawnSpec& spec);

  // Streams output and reaps children until all have exited. `tick` (may be
  // empty) runs every `interval`, and once more at the end.
  std::vector<ExitInfo> wait(const std::function<void()>& tick, std::chrono::milliseconds interval);

  pid_t pid(int index) const;
  bool interrupted() const { return interrupted_; }

 private:
  struct Child;
  bool pump(int timeout_ms);
  void handle_signals();
  void reap();
  bool all_done() const;

  std::vector<Child> children_;
  int signal_pipe_[2] = {-1, -1};
  bool interrupted_ = false;
};

}  // namespace flor::sched
