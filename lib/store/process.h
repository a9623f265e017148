// The process that writes a run, so a reader can tell a run that is still
// running from one whose process died without finishing it (kill -9, power
// loss): host name, pid, and the pid's start time, which tells a reused pid
// apart from the one recorded.
#pragma once

#include <cstdint>
#include <string>

namespace flor::store {

struct RunProcess {
  std::string host;   // gethostname()
  int64_t pid = 0;
  int64_t start = 0;  // start time in clock ticks after boot (/proc/PID/stat field 22); 0 when unknown
};

// The calling process.
RunProcess this_process();

// True only when `p` ran on this host and is gone: no process has its pid, the
// one that has it started at another time, or it is a zombie (it has exited).
// A process on another host is never judged (false).
bool process_gone(const RunProcess& p);

}  // namespace flor::store
