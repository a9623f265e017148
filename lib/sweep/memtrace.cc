#include "sweep/memtrace.h"

#include <dirent.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "util/proc_stat.h"

namespace flor::sweep {
namespace {

// stderr dropped: no nvidia-smi is the normal case on CPU machines.
std::string command_output(const std::string& command) {
  std::string out;
  FILE* p = ::popen((command + " 2>/dev/null").c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  return ::pclose(p) == 0 ? out : "";
}

}  // namespace

std::vector<int> process_tree(int root) {
  std::map<int, std::vector<int>> children;
  if (DIR* d = ::opendir("/proc")) {
    while (dirent* e = ::readdir(d)) {
      int pid = std::atoi(e->d_name);
      if (auto st = read_proc_stat(pid)) children[st->ppid].push_back(pid);  // nullopt for non-pids (0)
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
  std::istringstream out(
      command_output("nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits"));
  for (std::string line; std::getline(out, line);) {
    int pid = 0;
    double used = 0;
    if (std::sscanf(line.c_str(), "%d , %lf", &pid, &used) == 2 && wanted.count(pid)) mib += used;
  }
  return mib;
}

}  // namespace flor::sweep
