// Memory of a running sweep run, sampled from /proc and nvidia-smi.
#pragma once

#include <vector>

namespace flor::sweep {

// The process and its descendants (a `flor run` and its training program).
std::vector<int> process_tree(int pid);
// Resident memory (MiB) of a process and all its descendants.
double tree_rss_mib(int pid);
// GPU memory (MiB) that `nvidia-smi --query-compute-apps` reports for `pids`
// (0 when there is no nvidia-smi).
double gpu_mem_mib(const std::vector<int>& pids);

}  // namespace flor::sweep
