#include "sweep/slots.h"

#include <dirent.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace flor::sweep {
namespace {

// Output of a command, or "" when it cannot run. stderr is dropped: a missing
// nvidia-smi is the normal case on CPU machines.
std::string command_output(const std::string& command) {
  std::string out;
  FILE* p = ::popen((command + " 2>/dev/null").c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  return ::pclose(p) == 0 ? out : "";
}

std::vector<std::string> split_words(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string w; std::getline(in, w, sep);) {
    w.erase(0, w.find_first_not_of(" \t\r\n"));
    w.erase(w.find_last_not_of(" \t\r\n") + 1);
    if (!w.empty()) out.push_back(w);
  }
  return out;
}

std::map<std::string, std::string> thread_env(int threads) {
  std::string t = std::to_string(threads);
  return {{"OMP_NUM_THREADS", t}, {"OPENBLAS_NUM_THREADS", t}, {"MKL_NUM_THREADS", t},
          {"FLOR_THREADS", t},    {"CUDA_VISIBLE_DEVICES", ""}};
}

int parent_of(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return -1;
  // The command name may contain spaces and ')': the fields start after the last ')'.
  size_t close = line.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(line.substr(close + 1));
  std::string state;
  int ppid = -1;
  rest >> state >> ppid;
  return ppid;
}

}  // namespace

std::vector<std::string> discover_gpus() {
  if (const char* visible = std::getenv("CUDA_VISIBLE_DEVICES")) return split_words(visible, ',');
  std::vector<std::string> ids;
  for (const std::string& line : split_words(command_output("nvidia-smi --query-gpu=index --format=csv,noheader"), '\n')) {
    ids.push_back(line);
  }
  return ids;
}

Result<std::vector<Slot>> make_slots(const Meta& meta, const std::vector<std::string>& gpus, int cores) {
  std::vector<Slot> slots;
  cores = std::max(1, cores);
  if (!gpus.empty()) {
    for (const std::string& id : gpus) {
      for (int k = 0; k < meta.runs_per_gpu; ++k) {
        Slot s;
        s.label = "gpu" + id + (meta.runs_per_gpu > 1 ? "." + std::to_string(k) : "");
        s.env = {{"CUDA_VISIBLE_DEVICES", id}, {"CUDA_DEVICE_ORDER", "PCI_BUS_ID"}};
        s.gpu = true;
        slots.push_back(s);
      }
    }
    if (meta.max_parallel > 0 && static_cast<int>(slots.size()) > meta.max_parallel) slots.resize(meta.max_parallel);
    return slots;
  }
  if (!meta.allow_cpu) {
    return failed_precondition("no GPU found (nvidia-smi lists none) and meta.allow_cpu is false: "
                               "set \"allow_cpu\": true to run on CPU slots");
  }
  int n = meta.max_parallel > 0 ? meta.max_parallel
                                : std::max(1, cores / std::max(1, meta.threads_per_run));
  int threads = meta.threads_per_run > 0 ? meta.threads_per_run : std::max(1, cores / n);
  for (int i = 0; i < n; ++i) {
    Slot s;
    s.label = "cpu" + std::to_string(i);
    s.env = thread_env(threads);
    // Disjoint cores while they last; more slots than cores share round-robin.
    for (int t = 0; t < threads; ++t) s.cpus.push_back((i * threads + t) % cores);
    slots.push_back(s);
  }
  return slots;
}

std::vector<int> process_tree(int root) {
  std::map<int, std::vector<int>> children;
  if (DIR* d = ::opendir("/proc")) {
    while (dirent* e = ::readdir(d)) {
      int pid = std::atoi(e->d_name);
      if (pid > 0) children[parent_of(pid)].push_back(pid);
    }
    ::closedir(d);
  }
  std::vector<int> tree = {root};
  for (size_t i = 0; i < tree.size(); ++i) {
    for (int c : children[tree[i]]) tree.push_back(c);
  }
  return tree;
}

double tree_rss_mib(int root) {
  double kib = 0;
  for (int pid : process_tree(root)) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("VmRSS:", 0) == 0) kib += std::atof(line.c_str() + 6);
    }
  }
  return kib / 1024.0;
}

double gpu_mem_mib(const std::vector<int>& pids) {
  std::set<int> wanted(pids.begin(), pids.end());
  double mib = 0;
  std::string out = command_output("nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits");
  for (const std::string& line : split_words(out, '\n')) {
    std::vector<std::string> f = split_words(line, ',');
    if (f.size() == 2 && wanted.count(std::atoi(f[0].c_str()))) mib += std::atof(f[1].c_str());
  }
  return mib;
}

}  // namespace flor::sweep
