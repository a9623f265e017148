#include "sweep/slots.h"

#include <algorithm>
#include <cstdlib>

#include "store/contract.h"

namespace flor::sweep {

Result<std::vector<Slot>> make_slots(const Meta& meta, const sched::Devices& devices) {
  int cores = std::max<int>(1, static_cast<int>(devices.cpus.size()));
  int n = 0;
  int threads = std::max(1, meta.threads_per_run);
  if (!devices.gpus.empty()) {
    n = static_cast<int>(devices.gpus.size()) * meta.runs_per_gpu;
    if (meta.max_parallel > 0) n = std::min(n, meta.max_parallel);
  } else if (!meta.allow_cpu) {
    return failed_precondition(
        "no GPU found (CUDA_VISIBLE_DEVICES, nvidia-smi) and meta.allow_cpu is false: "
        "set \"allow_cpu\": true to run on CPU slots");
  } else {
    n = meta.max_parallel > 0 ? meta.max_parallel : std::max(1, cores / threads);
    if (meta.threads_per_run == 0) threads = std::max(1, cores / n);
  }
  return sched::assign_slots(devices, n, threads);
}

int slot_threads(const Slot& slot) {
  auto it = slot.env.find(kEnvThreads);
  return it == slot.env.end() ? 1 : std::max(1, std::atoi(it->second.c_str()));
}

bool slot_has_gpu(const Slot& slot) {
  auto it = slot.env.find("CUDA_VISIBLE_DEVICES");
  return it != slot.env.end() && !it->second.empty();
}

}  // namespace flor::sweep
