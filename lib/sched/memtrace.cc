#include "sched/memtrace.h"

#include <dirent.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include "util/proc_stat.h"

namespace flor::sched {

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

int64_t gpu_mem_mib(const std::vector<int>& pids, const std::map<int, int64_t>& used) {
  int64_t mib = 0;
  for (int pid : pids) {
    if (auto it = used.find(pid); it != used.end()) mib += it->second;
  }
  return mib;
}

}  // namespace flor::sched
