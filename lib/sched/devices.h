// Devices of this machine and how `flor replay -j N` splits them among workers:
// one GPU each (CUDA_VISIBLE_DEVICES) when there are GPUs, else a share of the
// CPU cores, always with thread counts pinned so replay stays bit-identical.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "store/contract.h"

namespace flor::sched {

struct Devices {
  std::vector<std::string> gpus;  // CUDA device ids ("0", "1", ...) or UUIDs
  std::vector<int> cpus;          // CPU ids this process may run on
};

// GPUs: CUDA_VISIBLE_DEVICES when set, else `nvidia-smi -L` when it exists and
// works, else none. CPUs: this process's affinity mask.
Devices discover_devices(const EnvLookup& env);

// "GPU 0: Tesla T4 (UUID: GPU-...)" lines -> {"0", ...}.
std::vector<std::string> parse_nvidia_smi(const std::string& output);

// The variables that pin a training process's threads: torch intra-op (FLOR_THREADS,
// OMP_NUM_THREADS, MKL_NUM_THREADS) to `threads`, OpenBLAS to 1.
// The same for record and replay, so results stay bit-identical.
std::map<std::string, std::string> thread_env(int threads);

// What one worker gets: its environment additions and its CPUs (empty: no pinning).
struct Slot {
  std::map<std::string, std::string> env;
  std::vector<int> cpus;
  std::string label;  // "gpu 0", "cpus 2-3", "cpus (shared)"
};

// `workers` slots. With GPUs: worker i gets GPU i mod #GPUs. Without: each
// worker gets its own contiguous cores when there are enough for `threads`
// each, else none are pinned (oversubscribed; threads stay pinned).
std::vector<Slot> assign_slots(const Devices& devices, int workers, int threads);

}  // namespace flor::sched
