// Memory of a running program and its child processes, from /proc and from
// nvidia-smi's answer (sched/nvidia_smi.h): the sweep's memory trace and the
// peak GPU memory the driver keeps for each run (replay/workers.h).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

namespace flor::sched {

// The process and its descendants (a `flor run` and its training program).
std::vector<int> process_tree(int pid);
// Resident memory (MiB) of a process and all its descendants.
double tree_rss_mib(int pid);
// The GPU memory (MiB) of `pids`: what `used` (query_compute_apps) lists for them, summed.
int64_t gpu_mem_mib(const std::vector<int>& pids, const std::map<int, int64_t>& used);

}  // namespace flor::sched
