#include "sched/devices.h"

#include <sched.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "sched/nvidia_smi.h"

namespace flor::sched {
namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// {"0", "1"} -> "0, 1".
std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::vector<int> affinity_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (::sched_getaffinity(0, sizeof set, &set) == 0) {
    for (int c = 0; c < CPU_SETSIZE; ++c) {
      if (CPU_ISSET(c, &set)) cpus.push_back(c);
    }
  }
  if (cpus.empty()) cpus.push_back(0);
  return cpus;
}

std::string cpu_label(const std::vector<int>& cpus) {
  if (cpus.empty()) return "cpus (shared)";
  if (cpus.size() == 1) return "cpu " + std::to_string(cpus[0]);
  return "cpus " + std::to_string(cpus.front()) + "-" + std::to_string(cpus.back());
}

}  // namespace

Devices discover_devices(const EnvLookup& env) {
  Devices d;
  if (auto visible = env("CUDA_VISIBLE_DEVICES")) {
    d.gpus = split_list(*visible);  // set (even empty): the user has chosen
  } else {
    d.gpus = parse_gpu_list(nvidia_smi("-L", env).value_or(""));
  }
  d.cpus = affinity_cpus();
  return d;
}

std::map<std::string, std::string> thread_env(int threads) {
  std::string t = std::to_string(std::max(1, threads));
  return {{kEnvThreads, t}, {"OMP_NUM_THREADS", t}, {"MKL_NUM_THREADS", t}, {"OPENBLAS_NUM_THREADS", "1"}};
}

std::vector<Slot> assign_slots(const Devices& devices, int workers, int threads) {
  std::vector<Slot> slots(static_cast<size_t>(std::max(0, workers)));
  size_t ncpu = devices.cpus.size();
  size_t share = workers > 0 ? ncpu / static_cast<size_t>(workers) : 0;
  bool pin = share >= static_cast<size_t>(std::max(1, threads));
  for (size_t i = 0; i < slots.size(); ++i) {
    Slot& s = slots[i];
    s.env = thread_env(threads);
    if (!devices.gpus.empty()) {
      const std::string& gpu = devices.gpus[i % devices.gpus.size()];
      s.env["CUDA_VISIBLE_DEVICES"] = gpu;
      s.env["CUDA_DEVICE_ORDER"] = "PCI_BUS_ID";  // CUDA's default order is not nvidia-smi's
      s.label = "gpu " + gpu;
      continue;
    }
    if (pin) s.cpus.assign(devices.cpus.begin() + static_cast<long>(i * share),
                           devices.cpus.begin() + static_cast<long>((i + 1) * share));
    s.label = cpu_label(s.cpus);
  }
  return slots;
}

bool gpus_shared(size_t gpus, int workers) {
  return gpus > 0 && static_cast<size_t>(std::max(0, workers)) > gpus;
}

GpuShare share_gpus(int workers, const std::vector<std::string>& gpus,
                    const std::vector<std::optional<int64_t>>& free_mib, std::optional<int64_t> need_mib) {
  if (!gpus_shared(gpus.size(), workers)) return {workers, ""};
  const bool one = gpus.size() == 1;
  const std::string where = (one ? "gpu " : "gpus ") + join(gpus);
  const std::string unchecked =
      "note: " + std::to_string(workers) + " workers share " + where + "; their memory is not checked: ";
  if (!need_mib || *need_mib <= 0) {
    return {workers, unchecked +
                         "the record has no peak GPU memory (it ran on a CPU, under an older flor, or "
                         "ended before the first sample)"};
  }
  std::vector<std::string> free_text;
  int64_t fit = std::numeric_limits<int64_t>::max();  // workers every GPU holds
  const auto each = static_cast<int64_t>(std::ceil(static_cast<double>(*need_mib) * (1 + kGpuMemMargin)));
  for (size_t g = 0; g < gpus.size(); ++g) {
    if (g >= free_mib.size() || !free_mib[g])
      return {workers, unchecked + "nvidia-smi reports no free memory for gpu " + gpus[g]};
    fit = std::min(fit, *free_mib[g] / each);
    free_text.push_back(std::to_string(*free_mib[g]));
  }
  const std::string why =
      " (each needs ~" + std::to_string(each) + " MiB" +
      (one ? " of " + free_text[0] + " MiB free)" : "; MiB free: " + join(free_text) + ")");
  const auto ngpus = static_cast<int64_t>(gpus.size());
  if (fit >= (workers + ngpus - 1) / ngpus)  // the most that round robin puts on one GPU
    return {workers, std::to_string(workers) + " workers share " + where + why};
  const auto run = static_cast<int>(ngpus * std::max<int64_t>(1, fit));
  const std::string running =
      "running " + std::to_string(run) + " of the " + std::to_string(workers) + " workers";
  if (fit == 0) return {run, running + ", one per gpu, though not even one fits on " + where + why};
  return {run, running + ": " + std::to_string(fit) + " fit on " + (one ? "" : "each of ") + where + why};
}

}  // namespace flor::sched
