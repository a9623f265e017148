// What /proc/PID/stat says about a process: its parent, its state and when it
// started. A pid alone is not an identity (pids are reused); pid + start time is.
// No product code: the sweep (its attempts), the store (a run's process) and
// the memory trace read it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace flor {

struct ProcStat {
  char state = '?';  // R, S, D, Z (exited, not reaped), T, ...
  pid_t ppid = -1;
  uint64_t start_ticks = 0;  // clock ticks after boot (field 22): with the pid, one process
};

// nullopt when there is no such process (or /proc cannot be read).
std::optional<ProcStat> read_proc_stat(pid_t pid);

// Whether the process `pid` that started at `start_ticks` still runs: it exists,
// has not exited (a zombie has) and is not a newer process that reuses the pid.
bool process_alive(pid_t pid, uint64_t start_ticks);

}  // namespace flor
