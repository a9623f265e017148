// The places a sweep runs its permutations: one slot per GPU (or several per
// GPU when meta.runs_per_gpu asks), else CPU slots with pinned thread counts.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sweep/config.h"

namespace flor::sweep {

struct Slot {
  std::string label;                       // "gpu0", "gpu0.1", "cpu1"
  std::map<std::string, std::string> env;  // CUDA_VISIBLE_DEVICES or thread counts
  std::vector<int> cpus;                   // CPU affinity of the run
  bool gpu = false;
};

// GPU ids from CUDA_VISIBLE_DEVICES when it is set (the user already chose),
// else `nvidia-smi --query-gpu=index` (PCI bus order); empty when neither.
std::vector<std::string> discover_gpus();

// The slots for `meta` on a machine with `gpus` and `cores` cores.
// kFailedPrecondition when there is no GPU and meta.allow_cpu is false.
Result<std::vector<Slot>> make_slots(const Meta& meta, const std::vector<std::string>& gpus, int cores);

// Resident memory (MiB) of a process and all its descendants, from /proc.
double tree_rss_mib(int pid);
// GPU memory (MiB) used by each of `pids` per `nvidia-smi --query-compute-apps`
// (0 when there is no nvidia-smi).
double gpu_mem_mib(const std::vector<int>& pids);
// The process and its descendants.
std::vector<int> process_tree(int pid);

}  // namespace flor::sweep
