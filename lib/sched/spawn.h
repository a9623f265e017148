// Starting one program without a shell: the fork/exec under both `flor run`'s
// ProcessGroup (output through pipes or pseudo-terminals) and the sweep's pool
// (sweep::Child, output into files).
//
// Every program flor starts dies with the flor process that started it: it runs
// in its own session and process group (pid = pgid = sid, so kill(-pid) reaches
// its children too, and no terminal signals it behind flor's back) with
// PR_SET_PDEATHSIG = SIGKILL, set before exec and then checked against the
// expected parent, so a flor killed during the fork leaves no orphan either.
// PDEATHSIG fires when the forking *thread* ends: call spawn from the main
// thread (checked).
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "store/contract.h"
#include "util/status.h"

namespace flor::sched {

// The program execve would run: a word containing '/' is checked as a path
// (relative to `cwd` when given), anything else is searched in PATH.
// kNotFound: "command not found: NAME".
Result<std::string> resolve_command(const std::string& command, const EnvLookup& env, const std::string& cwd = "");

struct ExecSpec {
  std::vector<std::string> argv;           // argv[0] is resolved with resolve_command
  std::map<std::string, std::string> env;  // set on top of this process's environment
  int stdout_fd = -1;                      // become the child's stdout and stderr; the caller closes them
  int stderr_fd = -1;
  std::vector<int> cpus;   // CPU affinity of the child; empty = inherit
  std::string cwd;         // working directory of the child; "" = ours
};

// Forks and execs; returns the child's pid once exec succeeded. A program that
// cannot be found or executed is an error here ("cannot start NAME: why"; the
// child is reaped), not a child exiting with 127.
Result<pid_t> spawn(const ExecSpec& spec);

// Sends `signo` to the process group of a child that spawn started (its own
// children too); to the child alone when it has left that group.
void signal_group(pid_t pid, int signo);

}  // namespace flor::sched
