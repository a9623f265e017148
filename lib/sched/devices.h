// Devices of this machine and how `flor replay -j N` splits them among workers:
// one GPU each (CUDA_VISIBLE_DEVICES) when there are GPUs, or several per GPU
// when their memory holds them (share_gpus), else a share of the CPU cores,
// always with thread counts pinned so replay stays bit-identical.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
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

// `workers` slots. With GPUs: worker i gets GPU i mod #GPUs
// (CUDA_VISIBLE_DEVICES, and CUDA_DEVICE_ORDER=PCI_BUS_ID so that the ids mean
// what nvidia-smi calls them). Without: each worker gets its own contiguous
// cores when there are enough for `threads` each, else none are pinned
// (oversubscribed; threads stay pinned).
std::vector<Slot> assign_slots(const Devices& devices, int workers, int threads);

// Whether `workers` outnumber the `gpus` (and some GPU gets several of them).
bool gpus_shared(size_t gpus, int workers);

// How many of `workers` to start on `gpus` (assigned as assign_slots does),
// given each GPU's free memory (free_mib, nvidia_smi.h) and the memory one
// worker needs (a record's peak, gpu_mem_peak_mib; nullopt: unknown). When
// the GPUs are shared: all workers when each GPU holds its share of them at
// need + kGpuMemMargin each, or when the need or a free amount is unknown (a
// note says memory was not checked); else as many as fit on every GPU, at
// least one per GPU. `message` (no "flor: ") says which and why; "" when no
// GPU is shared.
struct GpuShare {
  int workers = 0;
  std::string message;
};
inline constexpr double kGpuMemMargin = 0.1;
GpuShare share_gpus(int workers, const std::vector<std::string>& gpus,
                    const std::vector<std::optional<int64_t>>& free_mib, std::optional<int64_t> need_mib);

}  // namespace flor::sched
