// nvidia-smi: running it and reading its answers. The parsers are pure
// functions over the tool's text; the queries answer "nothing" where there is
// no nvidia-smi or it fails (a CPU machine, a driver without a GPU), so a
// caller reads no answer as no GPUs, or as an unknown amount.
//
// nvidia-smi numbers GPUs in PCI bus order; CUDA does so only under
// CUDA_DEVICE_ORDER=PCI_BUS_ID, which every GPU slot sets (assign_slots).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/contract.h"

namespace flor::sched {

// The output of `nvidia-smi ARGS` (stderr dropped), or nullopt when env's PATH
// has no nvidia-smi or it exits non-zero.
std::optional<std::string> nvidia_smi(const std::string& args, const EnvLookup& env);

// `nvidia-smi -L`: "GPU 0: Tesla T4 (UUID: GPU-...)" lines -> {"0", ...}.
std::vector<std::string> parse_gpu_list(const std::string& output);

// One GPU's line of `nvidia-smi` + kQueryGpuMemory.
struct GpuMemory {
  std::string index;  // nvidia-smi's number, "0"
  std::string uuid;   // "GPU-5d1c7e0a-..."
  int64_t free_mib = 0;
  int64_t total_mib = 0;
};
inline constexpr const char* kQueryGpuMemory =
    "--query-gpu=index,uuid,memory.free,memory.total --format=csv,noheader,nounits";
// "0, GPU-5d1c..., 80537, 81559" lines; a line that does not parse (a "[N/A]") is left out.
std::vector<GpuMemory> parse_gpu_memory(const std::string& output);
std::vector<GpuMemory> query_gpu_memory(const EnvLookup& env);  // empty without an answer

// The free MiB of each of `gpus` (CUDA_VISIBLE_DEVICES entries: an index, a
// UUID or a UUID's prefix, as CUDA takes them); nullopt for one `memory` lacks.
std::vector<std::optional<int64_t>> free_mib(const std::vector<std::string>& gpus,
                                             const std::vector<GpuMemory>& memory);

// The processes using GPU memory: `nvidia-smi` + kQueryComputeApps.
inline constexpr const char* kQueryComputeApps =
    "--query-compute-apps=pid,used_memory --format=csv,noheader,nounits";
// "4242, 2100" lines -> pid -> MiB, summed over a pid's GPUs; unparsable lines are left out.
std::map<int, int64_t> parse_compute_apps(const std::string& output);
std::map<int, int64_t> query_compute_apps(const EnvLookup& env);  // empty without an answer

}  // namespace flor::sched
