#include "sched/nvidia_smi.h"

#include <cstdio>
#include <limits>
#include <sstream>

#include "sched/spawn.h"
#include "util/number.h"

namespace flor::sched {
namespace {

// "a, b ,c" -> {"a", "b", "c"}.
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  for (std::string f; std::getline(in, f, ',');) {
    const size_t first = f.find_first_not_of(" \t\r");
    const size_t last = f.find_last_not_of(" \t\r");
    fields.push_back(first == std::string::npos ? "" : f.substr(first, last - first + 1));
  }
  return fields;
}

std::optional<int64_t> mib(const std::string& text) {
  Result<int64_t> n = parse_integer("MiB", text, 0, std::numeric_limits<int64_t>::max());
  return n.ok() ? std::optional<int64_t>(*n) : std::nullopt;
}

// CUDA takes a GPU by its index, its UUID, or a UUID's unique prefix ("GPU-5d1c").
bool names(const std::string& id, const GpuMemory& gpu) {
  if (id == gpu.index || id == gpu.uuid) return true;
  return id.rfind("GPU-", 0) == 0 && gpu.uuid.rfind(id, 0) == 0;
}

}  // namespace

std::optional<std::string> nvidia_smi(const std::string& args, const EnvLookup& env) {
  auto path = resolve_command("nvidia-smi", env);
  if (!path.ok()) return std::nullopt;
  const std::string cmd = "'" + *path + "' " + args + " 2>/dev/null";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return std::nullopt;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  if (::pclose(pipe) != 0) return std::nullopt;  // a driver without a GPU prints errors and fails
  return out;
}

std::vector<std::string> parse_gpu_list(const std::string& output) {
  std::vector<std::string> gpus;
  std::stringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("GPU ", 0) != 0) continue;
    auto colon = line.find(':');
    if (colon == std::string::npos || colon <= 4) continue;
    gpus.push_back(line.substr(4, colon - 4));
  }
  return gpus;
}

std::vector<GpuMemory> parse_gpu_memory(const std::string& output) {
  std::vector<GpuMemory> gpus;
  std::stringstream in(output);
  for (std::string line; std::getline(in, line);) {
    const std::vector<std::string> f = csv_fields(line);
    if (f.size() != 4 || f[0].empty()) continue;
    const auto avail = mib(f[2]), total = mib(f[3]);
    if (avail && total) gpus.push_back(GpuMemory{f[0], f[1], *avail, *total});
  }
  return gpus;
}

std::vector<GpuMemory> query_gpu_memory(const EnvLookup& env) {
  return parse_gpu_memory(nvidia_smi(kQueryGpuMemory, env).value_or(""));
}

std::vector<std::optional<int64_t>> free_mib(const std::vector<std::string>& gpus,
                                             const std::vector<GpuMemory>& memory) {
  std::vector<std::optional<int64_t>> out;
  for (const std::string& id : gpus) {
    std::optional<int64_t>& avail = out.emplace_back();
    for (const GpuMemory& m : memory) {
      if (names(id, m)) avail = m.free_mib;
    }
  }
  return out;
}

std::map<int, int64_t> parse_compute_apps(const std::string& output) {
  std::map<int, int64_t> used;
  std::stringstream in(output);
  for (std::string line; std::getline(in, line);) {
    const std::vector<std::string> f = csv_fields(line);
    if (f.size() != 2) continue;
    Result<int64_t> pid = parse_integer("pid", f[0], 1, std::numeric_limits<int>::max());
    const auto mb = mib(f[1]);
    if (pid.ok() && mb) used[static_cast<int>(*pid)] += *mb;
  }
  return used;
}

std::map<int, int64_t> query_compute_apps(const EnvLookup& env) {
  return parse_compute_apps(nvidia_smi(kQueryComputeApps, env).value_or(""));
}

}  // namespace flor::sched
