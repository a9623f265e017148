// One child process of a sweep: started in its own process group (sched::spawn) with stdout
// and stderr in files, polled without blocking, terminated as a group.
//
// Why not sched::ProcessGroup: a sweep is a pool that starts a run
// whenever another ends and kills one on timeout or halt, while ProcessGroup
// waits for all of its children and has no per-child kill. This is the narrow
// piece a pool needs (the fork/exec is sched::spawn, shared with ProcessGroup);
// output goes to files, never to the terminal, so the progress line stays readable.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace flor::sweep {

struct ChildSpec {
  std::vector<std::string> argv;           // argv[0]: a path, or a name searched in PATH
  std::map<std::string, std::string> env;  // set on top of this process's environment
  std::string stdout_path;                 // appended to; created with its folder
  std::string stderr_path;
  std::vector<int> cpus;  // CPU affinity; empty = inherit
};

class Child {
 public:
  // Starts the child. A program that cannot be executed is an error here
  // (kNotFound / kFailedPrecondition), not an exit status 127.
  static Result<std::unique_ptr<Child>> spawn(const ChildSpec& spec);
  ~Child();  // a child still running is killed (SIGKILL to its group) and reaped
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  // The exit code once the child has exited (128 + signal when killed), else
  // nullopt. Never blocks. Escalates a terminate() to SIGKILL after its grace.
  std::optional<int> poll();
  // SIGTERM to the child's process group now, SIGKILL after `grace_s`.
  void terminate(double grace_s);
  bool terminating() const { return kill_at_ > 0; }

 private:
  explicit Child(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  std::optional<int> exit_code_;
  double kill_at_ = 0;  // monotonic seconds; 0 = not terminating
};

// Monotonic seconds (for timeouts) and wall-clock unix seconds (for journals).
double monotonic_s();
double unix_s();

}  // namespace flor::sweep
