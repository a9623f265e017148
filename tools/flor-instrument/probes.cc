#include "probes.h"

#include <algorithm>
#include <iterator>

namespace flor::instr {

std::vector<std::string> probed_blocks(const BlockLogs& recorded, const BlockLogs& current) {
  std::vector<std::string> probed;
  for (const auto& [name, logs] : current) {
    auto old = recorded.find(name);
    std::vector<std::string> before = old == recorded.end() ? std::vector<std::string>{} : old->second;
    std::vector<std::string> added;
    std::set_difference(logs.begin(), logs.end(), before.begin(), before.end(), std::back_inserter(added));
    if (!added.empty()) probed.push_back(name);
  }
  return probed;
}

}  // namespace flor::instr
