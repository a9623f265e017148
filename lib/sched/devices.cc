#include "sched/devices.h"

#include <sched.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "sched/process.h"

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

std::vector<std::string> gpus_from_nvidia_smi(const EnvLookup& env) {
  auto path = resolve_command("nvidia-smi", env);
  if (!path.ok()) return {};
  std::string cmd = "'" + *path + "' -L 2>/dev/null";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return {};
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  if (::pclose(pipe) != 0) return {};  // a driver without a GPU prints errors and fails
  return parse_nvidia_smi(out);
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

std::vector<std::string> parse_nvidia_smi(const std::string& output) {
  std::vector<std::string> gpus;
  std::stringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("GPU ", 0) != 0) continue;
    auto colon = line.find(':');
    if (colon == std::string::npos || colon <= 4) continue;
    gpus.push_back(line.substr(4, colon - 4));
  }
  return gpus;
}

Devices discover_devices(const EnvLookup& env) {
  Devices d;
  if (auto visible = env("CUDA_VISIBLE_DEVICES")) {
    d.gpus = split_list(*visible);  // set (even empty): the user has chosen
  } else {
    d.gpus = gpus_from_nvidia_smi(env);
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
      s.label = "gpu " + gpu;
      continue;
    }
    if (pin) s.cpus.assign(devices.cpus.begin() + static_cast<long>(i * share),
                           devices.cpus.begin() + static_cast<long>((i + 1) * share));
    s.label = cpu_label(s.cpus);
  }
  return slots;
}

}  // namespace flor::sched
